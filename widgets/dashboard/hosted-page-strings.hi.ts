/** Hindi strings of the hosted advocate page panel (hosted-page-strings.ts), loaded only for Hindi. */
// No type import: hosted-page-strings.ts loads this file, and its catalog() call checks every key.
const hi = {
  title: "होस्टेड एडवोकेट पेज",
  intro:
    "इस सर्वर पर आपके शिक्षार्थियों का अपना पेज, होस्टेड प्लेटफ़ॉर्म वाले प्रदाताओं के लिए: वे अपने ईमेल से साइन इन करके अपना रेफ़रल लिंक, इनाम और कहानी फ़ॉर्म पाते हैं।",
  slug: "पता (/p/…: छोटे अक्षर, अंक और हाइफ़न; खाली: कोई होस्टेड पेज नहीं)",
  policy: "कौन साइन इन कर सकता है",
  known: "वे शिक्षार्थी जिन्हें आप पहले से जानते हैं (कन्वर्ज़न, इंटीग्रेशन या लर्नर टोकन से)",
  domains: "साथ में नीचे दिए डोमेन का कोई भी व्यक्ति",
  anyone: "कोई भी (नए लोग बिना इतिहास के शुरू करते हैं)",
  domainList: "डोमेन (हर पंक्ति में एक, जैसे acme.example)",
  badSlug: "3 से 40 छोटे अक्षर, अंक और एकल हाइफ़न इस्तेमाल करें, जैसे acme-academy।",
  badDomain: "“{domain}” acme.example जैसा डोमेन नहीं है।",
  needDomains: "कम से कम एक डोमेन लिखें, या कोई दूसरा नियम चुनें।",
  problems: "कृपया नीचे की {n} समस्या(एँ) ठीक करें।",
  save: "होस्टेड पेज सहेजें",
  saved: "सहेजा गया। पेज यहाँ है: {url}",
  savedOff: "सहेजा गया। कोई होस्टेड पेज नहीं है।",
  open: "पेज खोलें",
  invalid: "यह मान मान्य नहीं है।",
};

export default hi;
