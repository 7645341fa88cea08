/** The Payouts page's strings (what is due, paying a batch, the batches made), in English and Hindi. */
import { catalog } from "../lib/i18n.ts";

const en = {
  title: "Payouts",
  intro:
    "Approved cash rewards, by the payout method referrers added and by currency. Pay a group to get the file to upload to PayPal, Wise or your bank; its rewards are then marked issued and the referrers told.",
  none: "No cash payouts are due.",
  noMethod: "Waiting for a payout method",
  group: "{method} · {currency}",
  total: "Due now: {amount} (minimum per referrer {minimum})",
  referrer: "Referrer",
  method: "Payout method",
  amount: "Amount",
  rewards: "Rewards",
  belowMinimum: "below the minimum",
  format: "File format",
  pay: "Pay {method} {currency} and download the file",
  paid: "Batch {id} made: {payees} payee(s), {amount}.",
  download: "Download {id}",
  batches: "Batches made, newest first",
  batch: "Batch",
  created: "Made",
  paypal: "PayPal",
  upi: "UPI",
  bank: "Bank",
};

export const payoutText = catalog(en, () => import("./payout-strings.hi.ts"));
