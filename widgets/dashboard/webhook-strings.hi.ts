/** Hindi strings of the webhook page (webhook-strings.ts), loaded only for Hindi. */
// No type import: webhook-strings.ts loads this file, and its catalog() call checks every key.
const hi = {
  addTitle: "एंडपॉइंट जोड़ें",
  url: "एंडपॉइंट URL",
  allowPrivate: "निजी नेटवर्क पते की अनुमति दें (केवल अपने नेटवर्क के भीतर के रिसीवर के लिए, सेल्फ़-होस्टिंग में)",
  allowPrivateHint:
    "बंद होने पर: जो URL निजी या लूपबैक पता है, या उस पर रिज़ॉल्व होता है, जोड़ते समय और हर डिलीवरी पर अस्वीकार किया जाता है।",
  add: "एंडपॉइंट जोड़ें",
  added: "एंडपॉइंट जोड़ा गया। इसका साइनिंग सीक्रेट, जो केवल अभी दिखाया जा रहा है:",
  privateAllowed: "निजी नेटवर्क की अनुमति",
  active: "सक्रिय",
  paused: "रुका हुआ",
  pausedSince: "{date} से रुका हुआ: {reason}। इसके इवेंट कतार में रहते हैं; जब तक आप इसे फिर से शुरू नहीं करते, कुछ नहीं भेजा जाएगा।",
  backingOff: "लगातार {count} डिलीवरी विफल; अगला प्रयास {date} के बाद",
  resume: "फिर से शुरू करें",
  resumeLabel: "{url} पर डिलीवरी फिर से शुरू करें",
  resumed: "{url} पर डिलीवरी कुछ ही सेकंड में फिर से शुरू होगी।",
  resumeFailed: "फिर से शुरू नहीं हो सका।",
};

export default hi;
