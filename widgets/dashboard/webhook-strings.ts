/**
 * The webhook form's words in English and Hindi. The dashboard has no language switch yet: the
 * page's `lang` picks the catalogue (English unless it says `hi`).
 */
const en = {
  addTitle: "Add an endpoint",
  url: "Endpoint URL",
  allowPrivate: "Allow private network addresses (only for a receiver inside your own network, when self-hosting)",
  allowPrivateHint:
    "Off: a URL that is, or resolves to, a private or loopback address is refused, when added and at every delivery.",
  add: "Add endpoint",
  added: "Endpoint added. Its signing secret, shown only now:",
  privateAllowed: "private network allowed",
};

const hi: typeof en = {
  addTitle: "एंडपॉइंट जोड़ें",
  url: "एंडपॉइंट URL",
  allowPrivate: "निजी नेटवर्क पते की अनुमति दें (केवल अपने नेटवर्क के भीतर के रिसीवर के लिए, सेल्फ़-होस्टिंग में)",
  allowPrivateHint:
    "बंद होने पर: जो URL निजी या लूपबैक पता है, या उस पर रिज़ॉल्व होता है, जोड़ते समय और हर डिलीवरी पर अस्वीकार किया जाता है।",
  add: "एंडपॉइंट जोड़ें",
  added: "एंडपॉइंट जोड़ा गया। इसका साइनिंग सीक्रेट, जो केवल अभी दिखाया जा रहा है:",
  privateAllowed: "निजी नेटवर्क की अनुमति",
};

export function webhookStrings(lang = document.documentElement.lang): typeof en {
  return lang.toLowerCase().startsWith("hi") ? hi : en;
}
