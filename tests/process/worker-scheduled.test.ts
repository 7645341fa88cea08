/**
 * The Workers cron trigger, in real workerd against a real sqld: an event written to the outbox
 * by a request is delivered, signed, when `scheduled` runs (here fired through wrangler's
 * /__scheduled test endpoint, as Cloudflare's cron would).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hmacSha256Hex } from "../../server/lib/crypto.ts";
import { buildAssets } from "../support/assets.ts";
import { runCli } from "../support/processes.ts";
import { type RunningSqld, startSqld } from "../support/sqld.ts";
import { submitLiveStory } from "../support/stories.ts";
import { startReceiver } from "../support/webhook-receiver.ts";
import { type RunningWorker, startWranglerDev } from "../support/wrangler-dev.ts";

let sqld: RunningSqld;
let worker: RunningWorker;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let keys: { publishableKey: string; secretKey: string };

beforeAll(async () => {
  buildAssets({ onlyIfMissing: true });
  sqld = await startSqld();
  const env = { DATABASE_URL: sqld.url };
  expect(runCli(["db", "migrate"], env).status).toBe(0);
  keys = JSON.parse(
    runCli(["workspace", "create", "--name", "Cron", "--origin", "https://academy.example", "--json"], env).stdout,
  );
  worker = await startWranglerDev({ DATABASE_URL: sqld.url, CHORUS_SECRET: "scheduled-test-secret-0123456789abcdef" });
  receiver = await startReceiver();
}, 120_000);
afterAll(async () => {
  await receiver?.close();
  await worker?.stop();
  await sqld?.stop();
});

describe("the cron trigger on workerd", () => {
  it("delivers the outbox's events, signed, when scheduled runs", async () => {
    const admin = { Authorization: `Bearer ${keys.secretKey}`, "Content-Type": "application/json" };
    const created = await fetch(`${worker.baseUrl}/v1/admin/webhooks`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ url: receiver.url, events: ["story.submitted"], allowPrivateNetwork: true }),
    });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };

    const story = await submitLiveStory(worker.baseUrl, keys.publishableKey, "cron-test", {
      name: "Ravi Kumar",
      headline: "Promoted after the course",
      body: "The dashboards I built in the capstone became part of my job.",
      outcome: { type: "promotion" },
    });
    expect(story.status).toBe(201);
    expect(receiver.received).toHaveLength(0);

    expect((await fetch(`${worker.baseUrl}/__scheduled?cron=*+*+*+*+*`)).status).toBe(200);
    await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(1);
    const [delivery] = receiver.received;
    expect(JSON.parse(delivery?.body ?? "{}")).toMatchObject({ type: "story.submitted" });
    const signature = String(delivery?.headers["chorus-signature"] ?? "");
    const timestamp = signature.match(/t=(\d+)/)?.[1] ?? "";
    expect(signature).toBe(`t=${timestamp},v1=${hmacSha256Hex(secret, `${timestamp}.${delivery?.body}`)}`);
  });

  it("logs the requests, the delivery and the drain as JSON lines (console.log on Workers)", async () => {
    await expect
      .poll(() => jsonLines(worker.output()).some((line) => line.job === "drain"), { timeout: 15_000 })
      .toBe(true);
    const lines = jsonLines(worker.output());
    expect(lines.find((line) => line.msg === "request" && line.route === "/v1/admin/webhooks")).toMatchObject({
      level: 30,
      method: "POST",
      status: 201,
      requestId: expect.any(String),
      workspaceId: expect.stringMatching(/^ws_/),
    });
    expect(lines.find((line) => line.job === "webhook.delivery")).toMatchObject({
      eventType: "story.submitted",
      outcome: "delivered",
      statusCode: 200,
    });
    expect(lines.find((line) => line.job === "drain")).toMatchObject({ msg: "background tick", webhooksClaimed: 1 });
    expect(worker.output()).not.toContain(keys.secretKey);
  });
});

/** The worker's JSON log lines among wrangler's own output. */
function jsonLines(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("{") && line.endsWith("}"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
