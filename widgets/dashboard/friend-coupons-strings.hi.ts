/** Hindi strings of the friend coupon panel (friend-coupons-strings.ts), loaded only for Hindi. */
// No type import: friend-coupons-strings.ts loads this file, and its catalog() call checks every key.
const hi = {
  title: "दोस्तों के कूपन कोड",
  poolLeft: "कूपन पूल: {available} कोड बचे हैं, {claimed} दिए जा चुके हैं।",
  poolLow:
    "कूपन पूल खत्म होने वाला है: केवल {available} कोड बचे हैं। अपने प्लेटफ़ॉर्म पर और कोड बनाकर अपलोड करें, वरना नए रेफ़रल को कोड नहीं मिलेगा।",
  stripePending: "{count} कोड Stripe में बनाए जाने की प्रतीक्षा में हैं (अपने-आप फिर से कोशिश होगी)।",
  stripeFailed: "{count} कोड Stripe में नहीं बन सके, इसलिए दोस्तों को नहीं दिखाए जाते:",
  retry: "फिर से कोशिश करें",
  retried: "{count} कोड के लिए फिर से कोशिश होगी।",
};

export default hi;
