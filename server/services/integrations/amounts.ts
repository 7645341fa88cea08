/**
 * Amounts as platforms send them: integer minor units (`amount_cents: 5000`), or major units as a
 * number or a string (`"49.99"`, `49.99`). Converted exactly (decimal text, never float
 * arithmetic) to the currency's minor units; anything else is refused with a reason.
 */

/** An ISO 4217 code this runtime knows, upper-cased; null when unknown. */
export function knownCurrency(value: unknown): string | null {
  if (typeof value !== "string" || !/^[A-Za-z]{3}$/.test(value)) return null;
  const code = value.toUpperCase();
  try {
    return Intl.supportedValuesOf("currency").includes(code) ? code : null;
  } catch {
    return code;
  }
}

/** Digits after the decimal point in the currency's minor unit (JPY 0, INR 2, KWD 3). */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export type Amount = { ok: true; amount: number } | { ok: false; reason: string };

/** `value` in `currency`'s minor units; `format` says whether it is already minor or major units. */
export function toMinorUnits(value: unknown, currency: string, format: "minor" | "major"): Amount {
  const text =
    typeof value === "number"
      ? Number.isFinite(value)
        ? String(value)
        : ""
      : typeof value === "string"
        ? value.trim()
        : "";
  const match = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(text);
  if (!match)
    return { ok: false, reason: `amount ${JSON.stringify(value)?.slice(0, 40)} is not a non-negative number` };
  const [, whole = "0", fraction = ""] = match;
  if (format === "minor") {
    if (fraction.replace(/0+$/, "") !== "")
      return { ok: false, reason: `amount ${text} in minor units has a fraction` };
    return { ok: true, amount: Number(whole) };
  }
  const digits = minorDigits(currency);
  if (fraction.replace(/0+$/, "").length > digits)
    return { ok: false, reason: `amount ${text} has more decimals than ${currency} allows (${digits})` };
  const amount = Number(whole + fraction.padEnd(digits, "0").slice(0, digits));
  if (!Number.isSafeInteger(amount) || amount > 1_000_000_000_000)
    return { ok: false, reason: `amount ${text} is too large` };
  return { ok: true, amount };
}
