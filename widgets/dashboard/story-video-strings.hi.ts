/** The moderation queue's video strings in Hindi. */
export default {
  video: "“{headline}” का वीडियो",
  transcript: "प्रतिलेख (वॉल पर इसके कैप्शन)",
  saveTranscript: "प्रतिलेख सहेजें",
  saved: "“{headline}” का प्रतिलेख सहेजा गया।",
  needed: "वीडियो वाली कहानी को स्वीकृत करने से पहले उसका प्रतिलेख ज़रूरी है।",
  noPoster: "कोई पोस्टर फ़्रेम नहीं भेजा गया।",
};
