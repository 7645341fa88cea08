/**
 * Work that runs outside requests: approving rewards whose hold ended, delivering webhooks and
 * sending the email outbox (where mail is on).
 * On Node an interval runs it; on Workers a cron trigger calls `runBackgroundTick`.
 */
import { type MailReport, type MailWorkerOptions, sendDueMail, startDueMail } from "./mail-outbox.ts";
import { forgetStaleNetworkKeys } from "./network-retention.ts";
import { approveDueRewards } from "./rewards.ts";
import { type StripeApiOptions, syncStripePromotionCodes } from "./stripe-coupons.ts";
import type { ServiceContext } from "./types.ts";
import { type DeliveryOptions, type DeliveryReport, deliverDueWebhooks, startDueDeliveries } from "./webhooks.ts";

/** Friend coupons waiting for Stripe: the server secret opens the workspaces' Stripe keys. */
export type StripeWorkerOptions = { secret: string; api?: StripeApiOptions };

/** Creates pending friend coupons in Stripe; a failure is recorded on each code, never thrown. */
function syncCoupons(ctx: ServiceContext, stripe: StripeWorkerOptions | undefined) {
  return stripe ? syncStripePromotionCodes({ ...ctx, secret: stripe.secret, stripeApi: stripe.api }) : null;
}

/**
 * One pass: approve due rewards (their events and mail enter the outboxes), then deliver the due
 * webhooks and, where mail is on, send the due mail, and create pending friend coupons in Stripe
 * (the Workers cron trigger's whole work).
 */
export async function runBackgroundTick(
  ctx: ServiceContext,
  options: DeliveryOptions = {},
  mail?: MailWorkerOptions,
  stripe?: StripeWorkerOptions,
): Promise<{ approved: number; deliveries: DeliveryReport; mail: MailReport | null }> {
  const approved = await approveDueRewards(ctx);
  await syncCoupons(ctx, stripe);
  const [deliveries, mailReport] = await Promise.all([
    deliverDueWebhooks(ctx, options),
    mail ? sendDueMail(ctx, mail) : null,
  ]);
  await forgetStaleNetworkKeys(ctx);
  return { approved, deliveries, mail: mailReport };
}

export type BackgroundWorker = { stop(): Promise<void> };

export type BackgroundWorkerInput = {
  intervalMs: number;
  /** How deliveries are sent (the runtime's outbound guard, among others). */
  delivery?: DeliveryOptions;
  /** How the email outbox is sent; absent (mail off), messages wait queued. */
  mail?: MailWorkerOptions;
  /** Friend coupons to create in Stripe; absent, none are. */
  stripe?: StripeWorkerOptions;
  /** Where a failed tick is reported; the next tick runs anyway. */
  onError?: (error: unknown) => void;
};

/**
 * Runs a tick every `intervalMs` (never two at once); `stop` waits for the running one and for
 * every send still in flight. A tick approves due rewards and claims deliveries, but does not
 * wait for their sends: an endpoint that never answers holds its workspace's slots until its
 * timeout, while the next tick delivers everyone else's. A run that claimed something ticks
 * again as soon as it finishes, so a backlog drains without waiting for the interval.
 */
export function startBackgroundWorker(ctx: ServiceContext, input: BackgroundWorkerInput): BackgroundWorker {
  const { intervalMs, onError = (error) => console.error("background tick failed:", error), delivery = {} } = input;
  let running: Promise<void> | null = null;
  let stopped = false;
  const sending = new Set<Promise<unknown>>();
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      await approveDueRewards(ctx);
      await forgetStaleNetworkKeys(ctx);
      await syncCoupons(ctx, input.stripe);
      const runs: { claimed: number; finished: Promise<unknown> }[] = [await startDueDeliveries(ctx, delivery)];
      // Mail is claimed and sent like deliveries: a hanging SMTP server holds only its own sends.
      if (input.mail) runs.push(await startDueMail(ctx, input.mail));
      for (const run of runs) {
        if (run.claimed === 0) continue;
        const finished = run.finished.then(() => setImmediate(tick), onError);
        sending.add(finished);
        void finished.finally(() => sending.delete(finished));
      }
    })()
      .then(() => undefined, onError)
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  // Never keep the process alive just for this.
  (timer as { unref?: () => void }).unref?.();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await Promise.all(sending);
    },
  };
}
