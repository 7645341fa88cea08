/**
 * Work that runs outside requests: approving rewards whose hold ended, delivering webhooks and
 * sending the email outbox and writing the team digests (where mail is on).
 * On Node an interval runs it; on Workers a cron trigger calls `runBackgroundTick`.
 */

import { errorText, silentLogger, type Telemetry } from "../lib/telemetry.ts";
import { type MailReport, type MailWorkerOptions, sendDueMail, startDueMail } from "./mail-outbox.ts";
import { forgetStaleNetworkKeys } from "./network-retention.ts";
import { deliverApprovedRewards } from "./reward-delivery.ts";
import { approveDueRewards } from "./rewards.ts";
import { type StripeApiOptions, syncStripePromotionCodes } from "./stripe-coupons.ts";
import { enqueueTeamDigests } from "./team-digest.ts";
import type { ServiceContext } from "./types.ts";
import { type DeliveryOptions, type DeliveryReport, deliverDueWebhooks, startDueDeliveries } from "./webhooks.ts";

/** Friend coupons waiting for Stripe: the server secret opens the workspaces' Stripe keys. */
export type StripeWorkerOptions = { secret: string; api?: StripeApiOptions };

/**
 * Creates pending friend coupons in Stripe, then delivers approved coupon and credit rewards; a
 * failure is recorded on each code or reward, never thrown.
 */
async function syncCoupons(ctx: ServiceContext, stripe: StripeWorkerOptions | undefined) {
  if (!stripe) return;
  const stripeCtx = { ...ctx, secret: stripe.secret, stripeApi: stripe.api };
  await syncStripePromotionCodes(stripeCtx);
  await deliverApprovedRewards(stripeCtx);
}

/**
 * One pass: approve due rewards (their events and mail enter the outboxes), then, where mail is
 * on, enqueue the team digests that are due, then create pending friend coupons in Stripe and
 * deliver approved coupon and credit rewards, then deliver the due webhooks and send the due mail
 * (the Workers cron trigger's whole work).
 */
export async function runBackgroundTick(
  ctx: ServiceContext,
  options: DeliveryOptions = {},
  mail?: MailWorkerOptions,
  stripe?: StripeWorkerOptions,
): Promise<{ approved: number; deliveries: DeliveryReport; mail: MailReport | null }> {
  const started = performance.now();
  const approved = await approveDueRewards(ctx);
  // Digests are a snapshot of what waits: written only where mail is on, so none goes stale queued.
  if (mail) await enqueueTeamDigests({ ...ctx, secret: mail.secret });
  await syncCoupons(ctx, stripe);
  const [deliveries, mailReport] = await Promise.all([
    deliverDueWebhooks(ctx, options),
    mail ? sendDueMail(ctx, mail) : null,
  ]);
  await forgetStaleNetworkKeys(ctx);
  options.telemetry?.log?.info(
    {
      job: "drain",
      approved,
      webhooksClaimed: deliveries.claimed,
      mailClaimed: mailReport?.claimed ?? 0,
      durationMs: Math.round(performance.now() - started),
    },
    "background tick",
  );
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
  /** Where a failed tick is reported; the next tick runs anyway. Absent: the log (or the console). */
  onError?: (error: unknown) => void;
  /** Where each tick and each send is logged and counted. */
  telemetry?: Telemetry;
};

/**
 * Runs a tick every `intervalMs` (never two at once); `stop` waits for the running one and for
 * every send still in flight. A tick approves due rewards and claims deliveries, but does not
 * wait for their sends: an endpoint that never answers holds its workspace's slots until its
 * timeout, while the next tick delivers everyone else's. A run that claimed something ticks
 * again as soon as it finishes, so a backlog drains without waiting for the interval.
 */
export function startBackgroundWorker(ctx: ServiceContext, input: BackgroundWorkerInput): BackgroundWorker {
  const { intervalMs, telemetry = {} } = input;
  const log = telemetry.log ?? silentLogger;
  const onError =
    input.onError ??
    ((error: unknown) =>
      telemetry.log
        ? log.error({ job: "drain", error: errorText(error) }, "background tick failed")
        : console.error("background tick failed:", error));
  // Each send is logged and counted too (an outbox's own telemetry, if given, wins).
  const delivery = { telemetry, ...input.delivery };
  const mail = input.mail && { telemetry, ...input.mail };
  let running: Promise<void> | null = null;
  let stopped = false;
  const sending = new Set<Promise<unknown>>();
  // Housekeeping runs once a minute, not on every tick (a second): network keys age in days and
  // clearing them writes in every workspace; digests are kept once per period by their key anyway.
  let housekeepingMinute = -1;
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      const started = performance.now();
      const approved = await approveDueRewards(ctx);
      const minute = Math.floor(ctx.clock.now().getTime() / 60_000);
      if (minute !== housekeepingMinute) {
        housekeepingMinute = minute;
        await forgetStaleNetworkKeys(ctx);
        if (input.mail) await enqueueTeamDigests({ ...ctx, secret: input.mail.secret });
      }
      await syncCoupons(ctx, input.stripe);
      const runs: { claimed: number; finished: Promise<unknown> }[] = [await startDueDeliveries(ctx, delivery)];
      // Mail is claimed and sent like deliveries: a hanging SMTP server holds only its own sends.
      if (mail) runs.push(await startDueMail(ctx, mail));
      // Idle ticks (one a second) only at debug: a quiet server's log stays quiet.
      const [webhooks, mailRun] = runs;
      const line = {
        job: "drain",
        approved,
        webhooksClaimed: webhooks?.claimed ?? 0,
        mailClaimed: mailRun?.claimed ?? 0,
        durationMs: Math.round(performance.now() - started),
      };
      if (approved > 0 || runs.some((run) => run.claimed > 0)) log.info(line, "background tick");
      else log.debug(line, "background tick");
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
