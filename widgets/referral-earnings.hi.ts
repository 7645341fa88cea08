/** Hindi strings of the referral card's earnings panel (referral-earnings.ts), loaded only for Hindi. */
// No type import: referral-earnings.ts loads this file, and its catalog() call checks every key.
const hi = {
  pending: "लंबित",
  approved: "स्वीकृत",
  paid: "भुगतान हो गया",
  void: "रद्द",
  hold: "रिफ़ंड की स्थिति के लिए {date} तक रोका गया",
  review: "टीम की जाँच तक रोका गया",
  refunded: "रद्द: खरीद का पैसा लौटाया गया",
  voided: "टीम ने रद्द किया",
  "payout-method": "भुगतान पाने के लिए नीचे भुगतान माध्यम जोड़ें",
  minimum: "आपके स्वीकृत इनाम {amount} तक पहुँचने पर भुगतान होगा",
  "next-batch": "अगले भुगतान में",
  delivering: "भेजा जा रहा है",
  "no-stripe-customer": "प्रतीक्षा: अभी आपका भुगतान खाता नहीं मिला; टीम आपसे संपर्क करेगी",
  "delivery-failed": "प्रतीक्षा: टीम इसे भेजने की एक समस्या सुलझा रही है",
  code: "अगले कोर्स के लिए आपका कोड: {code}",
  method: "भुगतान माध्यम",
  methodNow: "भुगतान यहाँ: {masked}",
  kind: "माध्यम",
  paypal: "PayPal ईमेल",
  upi: "UPI ID (name@bank)",
  bank: "बैंक संदर्भ",
  details: "विवरण",
  save: "भुगतान माध्यम सहेजें",
  saved: "सहेजा गया।",
};

export default hi;
