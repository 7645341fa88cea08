/**
 * The hosted page's earnings and payout method (issue 18), server-rendered like the rest of the
 * page (no script): totals pending, approved and paid, and a plain form that stores the payout
 * method (validated and sealed by services/payout-methods.ts), shown masked. English and Hindi.
 */
import { html } from "hono/html";
import type { PageLocale } from "../lib/advocate-page-words.ts";
import { formatMoney } from "../lib/money.ts";
import type { Earnings } from "../services/payout-earnings.ts";

const words = {
  en: {
    heading: "Earnings and payouts",
    pending: "Pending",
    approved: "Approved",
    paid: "Paid",
    method: "Where cash rewards are paid",
    current: (masked: string) => `Now: ${masked}`,
    none: "No payout method yet: add one to receive cash rewards.",
    kind: "Method",
    paypal: "PayPal email",
    upi: "UPI ID (name@bank)",
    bank: "Bank reference",
    details: "Details",
    save: "Save payout method",
    saved: "Payout method saved.",
    invalid: "Those details do not look right: a PayPal email, a UPI ID such as name@okaxis, or a bank reference.",
  },
  hi: {
    heading: "कमाई और भुगतान",
    pending: "लंबित",
    approved: "स्वीकृत",
    paid: "भुगतान हो गया",
    method: "नकद इनाम कहाँ भेजे जाएँ",
    current: (masked: string) => `अभी: ${masked}`,
    none: "अभी कोई भुगतान माध्यम नहीं: नकद इनाम पाने के लिए एक जोड़ें।",
    kind: "माध्यम",
    paypal: "PayPal ईमेल",
    upi: "UPI ID (name@bank)",
    bank: "बैंक संदर्भ",
    details: "विवरण",
    save: "भुगतान माध्यम सहेजें",
    saved: "भुगतान माध्यम सहेजा गया।",
    invalid: "ये विवरण सही नहीं लगते: PayPal ईमेल, name@okaxis जैसा UPI ID, या बैंक संदर्भ दें।",
  },
} as const;

/** The section: totals, then (when the program pays cash) the payout method form. `note` after a save. */
export function payoutSection(
  locale: PageLocale,
  input: { earnings: Earnings; action: string; note: "saved" | "invalid" | null },
) {
  const w = words[locale];
  const { earnings } = input;
  return html`<section aria-labelledby="payout-heading">
    <h2 id="payout-heading">${w.heading}</h2>
    ${
      earnings.totals.length
        ? html`<dl>${earnings.totals.map(
            (total) =>
              html`<div><dt>${w.pending}</dt><dd>${formatMoney(total.pending, total.currency)}</dd></div>
                <div><dt>${w.approved}</dt><dd>${formatMoney(total.approved, total.currency)}</dd></div>
                <div><dt>${w.paid}</dt><dd>${formatMoney(total.paid, total.currency)}</dd></div>`,
          )}</dl>`
        : ""
    }
    ${
      earnings.paysCash
        ? html`<h3>${w.method}</h3>
          <p>${earnings.payoutMethod ? w.current(earnings.payoutMethod.masked) : w.none}</p>
          ${input.note ? html`<p role="status">${w[input.note]}</p>` : ""}
          <form method="post" action="${input.action}">
            <label for="payout-kind">${w.kind}</label>
            <select id="payout-kind" name="kind">
              <option value="paypal">${w.paypal}</option><option value="upi">${w.upi}</option><option value="bank">${w.bank}</option>
            </select>
            <label for="payout-details">${w.details}</label>
            <input id="payout-details" name="details" required maxlength="254" autocomplete="off" />
            <button type="submit">${w.save}</button>
          </form>`
        : ""
    }
  </section>`;
}
