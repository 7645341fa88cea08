/** The story form's photo strings in Hindi: loaded only when such a form speaks Hindi and a photo is picked. */
export default {
  preview: "आपकी फ़ोटो, जैसी भेजी जाएगी",
  remove: "फ़ोटो हटाएँ",
  unreadable: "यह फ़ाइल ऐसी फ़ोटो नहीं है जिसे हम इस्तेमाल कर सकें: JPEG, PNG या WebP इमेज चुनें।",
  consent: "यह तभी दिखेगी जब आप “मेरी फ़ोटो दिखाएँ” पर टिक करेंगे।",
  notSent: "आपकी फ़ोटो नहीं भेजी जा सकी ({code}); आपकी कहानी उसके बिना मिल गई है।",
};
