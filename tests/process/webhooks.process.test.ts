import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDb } from "../../db/index.ts";
import { migrateDatabase, prepareFileDatabase } from "../../db/migrate.ts";
import { writeTransaction } from "../../server/lib/write-transaction.ts";
import { mintLearnerToken } from "../../server/services/learner-tokens.ts";
import { enqueueEvent } from "../../server/services/outbox.ts";
import { createEndpoint } from "../../server/services/webhooks.ts";
import { createWorkspace, getWorkspace } from "../../server/services/workspaces.ts";
import { runReportingScript, startServer } from "../support/processes.ts";
import { startReceiver } from "../support/webhook-receiver.ts";

let dir: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "chorus-webhooks-"));
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Points the workspace's only endpoint at a new URL. */
async function writeUrl(databaseUrl: string, endpointUrl: string) {
  const client = createClient({ url: databaseUrl });
  await client.execute({ sql: "update webhook_endpoints set url = ?", args: [endpointUrl] });
  client.close();
}

async function until(check: () => boolean, ms: number) {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
}

describe("webhook delivery outside requests", () => {
  it("runs in the background of the Node server and stops with it", async () => {
    const server = await startServer({ DATABASE_URL: `file:${join(dir, "chorus.db")}` });
    const banner = server.output();
    const secretKey = banner.match(/Secret key\s+(sk_\w+)/)?.[1];
    const publishableKey = banner.match(/Publishable key\s+(pk_\w+)/)?.[1];
    const tokenSecret = banner.match(/Token secret\s+(tks_\w+)/)?.[1];
    expect([secretKey, publishableKey, tokenSecret].every(Boolean)).toBe(true);
    const admin = { Authorization: `Bearer ${secretKey}`, "Content-Type": "application/json" };

    const endpoint = await (
      await fetch(`${server.baseUrl}/v1/admin/webhooks`, {
        method: "POST",
        headers: admin,
        // The receiver is on 127.0.0.1: the admin opts this endpoint in to private targets.
        body: JSON.stringify({ url: receiver.url, events: ["conversion.attributed"], allowPrivateNetwork: true }),
      })
    ).json();
    const token = await mintLearnerToken({ claims: { sub: "advocate-1", name: "Priya" }, tokenSecret: tokenSecret! });
    const referral = await (
      await fetch(`${server.baseUrl}/v1/referrals/me`, {
        method: "POST",
        headers: { "Chorus-Key": publishableKey!, Authorization: `Bearer ${token}` },
      })
    ).json();
    const conversion = await fetch(`${server.baseUrl}/v1/conversions`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ id: "order-1", type: "enrollment", customer: { id: "friend-1" }, code: referral.code }),
    });
    expect(conversion.status).toBe(201);

    await until(() => receiver.received.length > 0, 15_000);
    expect(receiver.received).toHaveLength(1);
    const { headers, body } = receiver.received[0]!;
    const [t, v1] = String(headers["chorus-signature"])
      .split(",")
      .map((part) => part.split("=")[1]);
    expect(v1).toBe(createHmac("sha256", endpoint.secret).update(`${t}.${body}`).digest("hex"));
    expect(JSON.parse(body)).toMatchObject({
      type: "conversion.attributed",
      data: { conversion: { externalId: "order-1" } },
    });

    expect(await server.stop("SIGINT")).toBe(0);
    expect(server.output()).toContain("Stopped cleanly.");
  });

  it("delivers each event once when two processes run the worker at the same time", async () => {
    const url = `file:${join(dir, "chorus.db")}`;
    const client = createClient({ url });
    await prepareFileDatabase(client);
    await migrateDatabase(client);
    const db = createDb(client);
    const now = new Date();
    const clock = { now: () => now };
    const workspace = await createWorkspace({ db, clock }, { name: "Two runners", origins: [] });
    await createEndpoint(
      { db, clock, workspace: (await getWorkspace({ db }, { id: workspace.id }))! },
      { url: receiver.url, events: [], allowPrivateNetwork: true },
    );
    await writeTransaction(db, async (tx) => {
      for (let i = 0; i < 24; i++) {
        await enqueueEvent(
          { tx, clock: { now: () => now } },
          { workspaceId: workspace.id, type: "reward.created", data: { n: i } },
        );
      }
    });
    client.close();
    // A slow receiver keeps both runners busy long enough to overlap.
    await receiver.close();
    receiver = await startReceiver([], 100);
    await writeUrl(url, receiver.url);

    const run = () =>
      runReportingScript<{ claimed: number; delivered: number }>("delivery-runner.ts", { DATABASE_URL: url });
    const reports = await Promise.all([run(), run()]);

    expect(reports.reduce((sum, report) => sum + report.delivered, 0)).toBe(24);
    expect(receiver.received).toHaveLength(24);
    expect(new Set(receiver.received.map((request) => request.headers["chorus-event-id"])).size).toBe(24);
    const check = createClient({ url });
    const rows = await check.execute("select status, attempts, count(*) as n from webhook_deliveries group by 1, 2");
    check.close();
    expect(rows.rows.map((row) => [row.status, row.attempts, row.n])).toEqual([["delivered", 1, 24]]);
  });
});
