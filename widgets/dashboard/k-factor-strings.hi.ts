/** Hindi strings of the K-factor table (k-factor-strings.ts), loaded only for Hindi. */
// No type import: k-factor-strings.ts loads this file, and its catalog() call checks every key.
const hi = {
  title: "समूह के अनुसार K-फ़ैक्टर",
  explain:
    "समूह में वे सभी शिक्षार्थी हैं जिन्होंने उस महीने पहली बार दाख़िला लिया, चाहे उन्होंने शेयर किया हो या नहीं। K-फ़ैक्टर = उनके रेफ़र किए दाख़िले ÷ समूह के शिक्षार्थी = शेयर करने वालों का हिस्सा × प्रति शेयर करने वाले दाख़िले, समूह की अब तक की अवधि में। 1 से ऊपर होने पर हर समूह अपने आप एक बड़ा समूह लाता है।",
  empty: "इस अवधि में किसी शिक्षार्थी ने पहली बार दाख़िला नहीं लिया।",
  caption: "शिक्षार्थियों के मासिक समूह के अनुसार K-फ़ैक्टर, उसके हिस्सों के साथ",
  cohort: "समूह",
  learners: "शिक्षार्थी",
  shared: "शेयर किया",
  perSharer: "प्रति शेयर करने वाले दाख़िले",
  kFactor: "K-फ़ैक्टर",
  sharedOf: "{learners} में से {sharers} ({rate})",
  quotient: "{part} ÷ {whole} = {value}",
};

export default hi;
