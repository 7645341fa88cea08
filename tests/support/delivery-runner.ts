/**
 * A separate process that runs the webhook delivery worker until nothing is due, then prints
 * what it did as JSON. Two of these at once prove claims hold across processes.
 */
import { createClient } from "@libsql/client";
import { createDb } from "../../db/index.ts";
import { deliverDueWebhooks } from "../../server/services/webhooks.ts";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is required");
// Another process may hold the write lock for a moment: wait for it (blocking is fine here).
const client = createClient({ url, timeout: 10_000 });
const deps = { db: createDb(client), clock: { now: () => new Date() } };
let claimed = 0;
let delivered = 0;
for (let round = 0; round < 200; round++) {
  const report = await deliverDueWebhooks(deps, { batchSize: 3 });
  if (report.claimed === 0) break;
  claimed += report.claimed;
  delivered += report.delivered;
}
client.close();
console.log(JSON.stringify({ claimed, delivered }));
