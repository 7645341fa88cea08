/** Hindi strings of the audit page (audit-strings.ts), loaded only for Hindi. */
// No type import: audit-strings.ts loads this file, and its catalog() call checks every key.
const hi = {
  title: "ऑडिट ट्रेल",
  intro: "इस डैशबोर्ड में या किसी एडमिन रूट से किया गया हर बदलाव: किसने, कब, क्या, और पहले व बाद के मान (निजी जानकारी छिपाई गई)।",
  filters: "ट्रेल फ़िल्टर करें",
  actor: "करने वाला (कुंजी या सदस्य आईडी)",
  action: "कार्रवाई या क्षेत्र (जैसे reward, review.ban)",
  from: "से",
  to: "तक",
  apply: "लागू करें",
  export: "CSV निर्यात करें",
  when: "कब",
  who: "किसने",
  what: "क्या",
  change: "पहले → बाद",
  request: "अनुरोध",
  empty: "इन फ़िल्टर से कोई बदलाव नहीं मिला।",
  more: "और दिखाएँ",
  dashboard: "डैशबोर्ड",
  key: "सीक्रेट कुंजी",
  system: "सिस्टम",
  member: "सदस्य",
};

export default hi;
