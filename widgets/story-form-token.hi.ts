/** The story link's strings in Hindi: loaded only when such a form speaks Hindi. */
export default {
  used: "यह लिंक पहले ही इस्तेमाल हो चुका है: आपकी कहानी मिल गई है।",
  expired: "इस लिंक की अवधि समाप्त हो गई है।",
  unknown: "यह लिंक काम नहीं करता। आप फिर भी यहाँ अपनी कहानी बता सकते हैं।",
};
