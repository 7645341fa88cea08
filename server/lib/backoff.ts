/**
 * Retry schedules shared by the outboxes (webhooks, email) and Stripe promotion codes. Its own
 * module, so a service that only schedules a retry does not load webhook delivery.
 */

/** Backoff before attempt n+1 after n failed attempts: base · 2^(n−1), capped. */
export function backoffMs(attempts: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempts - 1));
}

/**
 * The back-off with jitter: between 80 % and 100 % of `backoffMs`, so endpoints that failed
 * together (one receiver's outage) are not all retried in the same instant, and never later
 * than the schedule promises.
 */
export function jitteredBackoffMs(failures: number, base: number, max: number, random: () => number): number {
  return Math.round(backoffMs(failures, base, max) * (1 - 0.2 * random()));
}
