/**
 * Work that runs outside requests: approving rewards whose hold ended and delivering webhooks.
 * On Node an interval runs it; on Workers a cron trigger calls `runBackgroundTick`.
 */
import { forgetStaleNetworkKeys } from "./network-retention.ts";
import { approveDueRewards } from "./rewards.ts";
import type { ServiceContext } from "./types.ts";
import { type DeliveryOptions, type DeliveryReport, deliverDueWebhooks } from "./webhooks.ts";

/** One pass: approve due rewards (their events enter the outbox), then deliver what is due. */
export async function runBackgroundTick(
  ctx: ServiceContext,
  options: DeliveryOptions = {},
): Promise<{ approved: number; deliveries: DeliveryReport }> {
  const approved = await approveDueRewards(ctx);
  const deliveries = await deliverDueWebhooks(ctx, options);
  await forgetStaleNetworkKeys(ctx);
  return { approved, deliveries };
}

export type BackgroundWorker = { stop(): Promise<void> };

export type BackgroundWorkerInput = {
  intervalMs: number;
  /** How deliveries are sent (the runtime's outbound guard, among others). */
  delivery?: DeliveryOptions;
  /** Where a failed tick is reported; the next tick runs anyway. */
  onError?: (error: unknown) => void;
};

/** Runs a tick every `intervalMs` (never two at once); `stop` waits for the running one. */
export function startBackgroundWorker(ctx: ServiceContext, input: BackgroundWorkerInput): BackgroundWorker {
  const { intervalMs, onError = (error) => console.error("background tick failed:", error) } = input;
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = runBackgroundTick(ctx, input.delivery)
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
    },
  };
}
