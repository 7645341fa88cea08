/** Hindi strings of the Payouts page (payout-strings.ts), loaded only for Hindi. */
// No type import: payout-strings.ts loads this file, and its catalog() call checks every key.
const hi = {
  title: "भुगतान",
  intro:
    "स्वीकृत नकद इनाम, रेफ़र करने वालों के जोड़े भुगतान माध्यम और मुद्रा के अनुसार। किसी समूह का भुगतान करें और PayPal, Wise या अपने बैंक पर अपलोड करने के लिए फ़ाइल पाएँ; फिर उसके इनाम जारी माने जाते हैं और रेफ़र करने वालों को बताया जाता है।",
  none: "कोई नकद भुगतान बाकी नहीं है।",
  noMethod: "भुगतान माध्यम की प्रतीक्षा",
  group: "{method} · {currency}",
  total: "अभी देय: {amount} (हर रेफ़र करने वाले के लिए न्यूनतम {minimum})",
  referrer: "रेफ़र करने वाले",
  method: "भुगतान माध्यम",
  amount: "राशि",
  rewards: "इनाम",
  belowMinimum: "न्यूनतम से कम",
  format: "फ़ाइल का प्रारूप",
  pay: "{method} {currency} का भुगतान करें और फ़ाइल डाउनलोड करें",
  paid: "बैच {id} बना: {payees} प्राप्तकर्ता, {amount}।",
  download: "{id} डाउनलोड करें",
  batches: "बनाए गए बैच, सबसे नया पहले",
  batch: "बैच",
  created: "बनाया गया",
  paypal: "PayPal",
  upi: "UPI",
  bank: "बैंक",
};

export default hi;
