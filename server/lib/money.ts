/** Money as people read it in a decision log: minor units shown with the currency's decimals. */
export function formatMoney(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  const major = amount / 10 ** digits;
  return `${major.toFixed(digits)} ${currency}`;
}

/**
 * Decimals of a currency's minor unit, remembered: building an Intl.NumberFormat to ask costs
 * about 100 µs, 3% of a batch conversion's CPU (every reward step names its amount). Bounded,
 * since the currency comes from the caller.
 */
const digitsByCurrency = new Map<string, number>();
function minorDigits(currency: string): number {
  const known = digitsByCurrency.get(currency);
  if (known !== undefined) return known;
  let digits = 2;
  try {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // an unknown currency keeps two decimals
  }
  if (digitsByCurrency.size >= 300) digitsByCurrency.clear();
  digitsByCurrency.set(currency, digits);
  return digits;
}

/** "3 days ago", "5 hours ago": how far `then` lies before `now`, in the largest whole unit. */
export function ago(then: number, now: number): string {
  const ms = Math.max(0, now - then);
  const units: [number, string][] = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
  ];
  for (const [size, name] of units) {
    const n = Math.floor(ms / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? "" : "s"} ago`;
  }
  return "moments ago";
}

/** The ISO date (YYYY-MM-DD) of a time in ms. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** What a reward is worth, as a decision log and a mail say it: "25.00 INR credit", "10% coupon". */
export function rewardValue(reward: {
  amount: number | null;
  currency: string | null;
  percent: number | null;
  kind: string;
}): string {
  if (reward.amount !== null && reward.currency) return `${formatMoney(reward.amount, reward.currency)} ${reward.kind}`;
  return `${reward.percent}% ${reward.kind}`;
}
