/**
 * Work that runs outside requests: approving rewards whose hold ended and delivering webhooks.
 * On Node an interval runs it; on Workers a cron trigger calls `runBackgroundTick`.
 */
import type { Db } from "../../db/index.ts";
import { approveDueRewards } from "./rewards.ts";
import type { Clock } from "./types.ts";
import { type DeliveryOptions, type DeliveryReport, deliverDueWebhooks } from "./webhooks.ts";

export type BackgroundDeps = { db: Db; clock: Clock };

/** One pass: approve due rewards (their events enter the outbox), then deliver what is due. */
export async function runBackgroundTick(
  deps: BackgroundDeps,
  options: DeliveryOptions = {},
): Promise<{ approved: number; deliveries: DeliveryReport }> {
  const approved = await approveDueRewards(deps.db, deps.clock.now());
  const deliveries = await deliverDueWebhooks(deps, options);
  return { approved, deliveries };
}

export type BackgroundWorker = { stop(): Promise<void> };

/** Runs a tick every `intervalMs` (never two at once); `stop` waits for the running one. */
export function startBackgroundWorker(
  deps: BackgroundDeps,
  intervalMs: number,
  onError: (error: unknown) => void = (error) => console.error("background tick failed:", error),
): BackgroundWorker {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = runBackgroundTick(deps)
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
