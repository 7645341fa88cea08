/**
 * Work that runs outside requests: approving rewards whose hold ended, delivering webhooks and
 * sending the email outbox and writing the team digests (where mail is on).
 * On Node an interval runs it; on Workers a cron trigger calls `runBackgroundTick`.
 */
import { type MailReport, type MailWorkerOptions, sendDueMail, startDueMail } from "./mail-outbox.ts";
import { forgetStaleNetworkKeys } from "./network-retention.ts";
import { approveDueRewards } from "./rewards.ts";
import { enqueueTeamDigests } from "./team-digest.ts";
import type { ServiceContext } from "./types.ts";
import { type DeliveryOptions, type DeliveryReport, deliverDueWebhooks, startDueDeliveries } from "./webhooks.ts";

/**
 * One pass: approve due rewards (their events and mail enter the outboxes), then, where mail is
 * on, enqueue the team digests that are due, then deliver the due webhooks and send the due mail
 * (the Workers cron trigger's whole work).
 */
export async function runBackgroundTick(
  ctx: ServiceContext,
  options: DeliveryOptions = {},
  mail?: MailWorkerOptions,
): Promise<{ approved: number; deliveries: DeliveryReport; mail: MailReport | null }> {
  const approved = await approveDueRewards(ctx);
  // Digests are a snapshot of what waits: written only where mail is on, so none goes stale queued.
  if (mail) await enqueueTeamDigests({ ...ctx, secret: mail.secret });
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
  // The digests are looked at once a minute, not on every tick (their key keeps them once per period anyway).
  let digestMinute = -1;
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      await approveDueRewards(ctx);
      await forgetStaleNetworkKeys(ctx);
      const minute = Math.floor(ctx.clock.now().getTime() / 60_000);
      if (input.mail && minute !== digestMinute) {
        digestMinute = minute;
        await enqueueTeamDigests({ ...ctx, secret: input.mail.secret });
      }
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
