/** Hindi strings of the webhook page's endpoint state (webhook-strings.ts). */
import type { WebhookStrings } from "./webhook-strings.ts";

const hi: WebhookStrings = {
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
