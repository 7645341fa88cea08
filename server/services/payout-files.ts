/**
 * The files payout providers take, written from one batch's lines (README "Rewards that arrive"):
 *
 * - `paypal`: PayPal Payouts' CSV upload: no header, one line per payee: recipient type (`EMAIL`),
 *   receiver, amount in major units with the currency's decimals, currency, sender item id, note.
 * - `wise`: Wise's "Send by email" batch template: `name,recipientEmail,paymentReference,
 *   receiverType,amountCurrency,amount,sourceCurrency,targetCurrency`, a fixed target amount.
 * - `generic`: every column a bank or accountant needs: `batch_id,item_id,name,method,details,amount,currency,rewards`.
 *
 * Amounts come from integer minor units and are written with exactly the currency's decimals
 * (₹500.00, ¥1500): no floating point. Lines end with CRLF (RFC 4180); fields are quoted only
 * when they must be, and a field that a spreadsheet would run as a formula is prefixed with `'`.
 */
import type { PayoutMethodKind } from "./payout-methods.ts";

export const payoutFormats = ["paypal", "wise", "generic"] as const;
export type PayoutFormat = (typeof payoutFormats)[number];

/** Which files fit which method: PayPal and Wise pay to an email; UPI IDs and bank references go in the generic file. */
export const formatsFor: Record<PayoutMethodKind, readonly PayoutFormat[]> = {
  paypal: ["paypal", "wise", "generic"],
  upi: ["generic"],
  bank: ["generic"],
};

/** One payee's line: everything due to them in the batch's currency. */
export type PayoutLine = {
  itemId: string;
  name: string;
  details: string;
  /** Minor units. */
  amount: number;
  rewardIds: string[];
};

export type PayoutFile = {
  batchId: string;
  method: PayoutMethodKind;
  currency: string;
  note: string;
  lines: PayoutLine[];
};

/** The currency's decimals (ISO 4217 minor units): 2 for INR, 0 for JPY, 3 for KWD. */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Minor units as major units with exactly the currency's decimals, by integer arithmetic. */
export function majorUnits(amount: number, currency: string): string {
  const digits = currencyDigits(currency);
  const sign = amount < 0 ? "-" : "";
  const whole = Math.abs(amount);
  if (digits === 0) return `${sign}${whole}`;
  const scale = 10 ** digits;
  return `${sign}${Math.floor(whole / scale)}.${String(whole % scale).padStart(digits, "0")}`;
}

function field(value: string): string {
  // A leading =, +, - or @ makes a spreadsheet run the cell as a formula (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const rows = (lines: string[][]) => lines.map((line) => `${line.map(field).join(",")}\r\n`).join("");

/** The batch file in the given format. */
export function payoutFileText(format: PayoutFormat, file: PayoutFile): string {
  const { currency, lines } = file;
  if (format === "paypal")
    return rows(lines.map((l) => ["EMAIL", l.details, majorUnits(l.amount, currency), currency, l.itemId, file.note]));
  if (format === "wise")
    return rows([
      [
        "name",
        "recipientEmail",
        "paymentReference",
        "receiverType",
        "amountCurrency",
        "amount",
        "sourceCurrency",
        "targetCurrency",
      ],
      ...lines.map((l) => [
        l.name,
        l.details,
        l.itemId,
        "PRIVATE",
        "target",
        majorUnits(l.amount, currency),
        currency,
        currency,
      ]),
    ]);
  return rows([
    ["batch_id", "item_id", "name", "method", "details", "amount", "currency", "rewards"],
    ...lines.map((l) => [
      file.batchId,
      l.itemId,
      l.name,
      file.method,
      l.details,
      majorUnits(l.amount, currency),
      currency,
      l.rewardIds.join(" "),
    ]),
  ]);
}
