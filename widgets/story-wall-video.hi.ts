/** The wall's video strings in Hindi: loaded only when a wall with video stories speaks Hindi. */
export default {
  play: "वीडियो चलाएँ: {headline}",
  transcript: "प्रतिलेख",
  captions: "कैप्शन",
};
