/** The story elements' common words in Hindi: loaded only when such an element speaks Hindi (see lib/i18n.ts). */
export default {
  promotion: "पदोन्नति",
  salary_increase: "वेतन वृद्धि",
  new_job: "नई नौकरी",
  career_switch: "करियर बदलाव",
  started_business: "अपना व्यवसाय शुरू किया",
  skills: "नए कौशल",
  self_reported: "स्वयं बताया गया",
  credential_genuine: "असली क्रेडेंशियल, धारक की पुष्टि नहीं",
  provider_attested: "कोर्स पूरा होने की पुष्टि",
  credential_verified: "सत्यापित क्रेडेंशियल",
  anonymous: "एक शिक्षार्थी",
  loadFailed: "हम इसे लोड नहीं कर सके।",
  retry: "फिर से कोशिश करें",
};
