/** `<chorus-referred-by>`'s strings in Hindi: loaded only when the element speaks Hindi (see lib/i18n.ts). */
export default {
  ask: "क्या आपको किसी ने रेफ़र किया?",
  question: "आपको किसने रेफ़र किया?",
  hintEmail: "उनका ईमेल पता",
  hintBoth: "उनका ईमेल पता, या उनका पूरा नाम",
  find: "आगे बढ़ें",
  isItName: "क्या वे {course} के {initial}. हैं?",
  isItEmail: "क्या {email} ने आपको रेफ़र किया?",
  yes: "हाँ, वही हैं",
  no: "नहीं",
  thanks: "धन्यवाद। अगर वे हमारे शिक्षार्थी हैं, तो आपके नामांकन पर उन्हें श्रेय मिलेगा।",
  tooMany: "बहुत अधिक प्रयास। कृपया बाद में फिर कोशिश करें।",
  failed: "यह नहीं हो सका। कृपया फिर कोशिश करें।",
};
