/** Numbers, money, durations and dates as the marketer's browser formats them. */
const numbers = new Intl.NumberFormat(undefined);
const percents = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });

export const formatNumber = (value: number) => numbers.format(value);
export const formatRate = (value: number | null) => (value === null ? "–" : percents.format(value));

/** Minor units to a currency amount (INR 399900 → ₹3,999.00). */
export function formatMoney(amount: number, currency: string): string {
  const digits =
    new Intl.NumberFormat(undefined, { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(amount / 10 ** digits);
}

export function formatRevenue(list: { currency: string; amount: number }[]): string {
  return list.length === 0 ? "–" : list.map((item) => formatMoney(item.amount, item.currency)).join(" · ");
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "–";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 360) / 10} h`;
  return `${Math.round(seconds / 8640) / 10} days`;
}

export const formatDate = (iso: string) =>
  new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(
    new Date(iso),
  );

/** Today and 29 days before, as YYYY-MM-DD (UTC, like the API). */
export function defaultRange(): { from: string; to: string } {
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86_400_000);
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}
