/** Hindi strings of the story import (story-import-strings.ts), loaded only for Hindi. */
// No type import: story-import-strings.ts loads this file, and its catalog() call checks every key.
const hi = {
  title: "CSV फ़ाइल से कहानियाँ आयात करें",
  intro:
    "Chorus से पहले जमा किए गए प्रशंसापत्र: हर पंक्ति में एक, इन कॉलम के साथ: name, headline, body, rating (1–5), date (2024-03-31), course (Courses में जोड़ा गया कोर्स स्लग), outcome, consent_publish (yes), consent_name और consent_photo (yes या no); photo_url वैकल्पिक है। आयात की गई कहानियाँ अनुमोदन के लिए कतार में रहती हैं और हमेशा स्व-घोषित (self-reported) गिनी जाती हैं।",
  file: "CSV फ़ाइल (UTF-8)",
  check: "फ़ाइल जाँचें",
  checking: "हर पंक्ति जाँची जा रही है…",
  counts: "{rows} पंक्तियाँ: {valid} तैयार, {refused} अस्वीकार, {already} पहले से आयात की हुई (इन्हें छोड़ दिया जाएगा)।",
  sampleTitle: "पहली पंक्तियाँ, जैसी वे सहेजी जाएँगी",
  errorsTitle: "पंक्तियाँ जो आयात नहीं होंगी",
  moreErrors: "{refused} अस्वीकार पंक्तियों में से पहली {shown} दिखाई गई हैं। उन्हें ठीक करके फ़ाइल फिर से जाँचें।",
  noErrors: "हर पंक्ति आयात की जा सकती है।",
  ignored: "अनदेखे कॉलम: {columns}।",
  row: "पंक्ति",
  column: "कॉलम",
  reason: "कारण",
  name: "नाम",
  headline: "शीर्षक",
  course: "कोर्स",
  rating: "रेटिंग",
  date: "तारीख",
  wholeRow: "(पूरी पंक्ति)",
  confirm: "{count} कहानियाँ आयात करें",
  progress: "आयात जारी: {total} में से {done} पंक्तियाँ पढ़ी गईं",
  progressLabel: "आयात की प्रगति",
  done: "पूरा हुआ: {imported} आयात हुईं, {duplicates} पहले से आयात होने के कारण छोड़ी गईं, {refused} अस्वीकार।",
  stopped: "आयात रुक गया: {message} अब तक गिनी गई पंक्तियाँ सहेजी जा चुकी हैं; बाकी जोड़ने के लिए फ़ाइल फिर से आयात करें।",
};

export default hi;
