/** Hindi strings of the email page (mail-strings.ts), loaded only for Hindi. */
// No type import: mail-strings.ts loads this file, and its catalog() call checks every key.
const hi = {
  title: "ईमेल",
  on: "ईमेल चालू है: संदेश सर्वर के SMTP सर्वर से भेजे जाते हैं।",
  off: "ईमेल बंद है: इस सर्वर पर SMTP_URL और MAIL_FROM नहीं हैं। संदेश आउटबॉक्स में रुके रहते हैं और ईमेल सेट होते ही भेजे जाते हैं।",
  queued: "कतार में",
  sent: "भेजा गया",
  failed: "विफल",
  suppressed: "रोका गया",
  counts: "स्थिति के अनुसार संदेश",
  latest: "नवीनतम संदेश, सबसे नया पहले",
  none: "अभी कोई संदेश नहीं।",
  message: "संदेश",
  state: "स्थिति",
  attempts: "प्रयास",
  reason: "कारण",
  created: "बनाया गया",
  nextAttempt: "अगला प्रयास {date}",
};

export default hi;
