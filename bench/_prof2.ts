import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrateDatabase, prepareFileDatabase } from "../db/migrate.ts";
import * as schema from "../db/schema.ts";
import { recordConversionBatch } from "../server/services/conversion-batch.ts";
import { upsertLearner } from "../server/services/learners.ts";
import { codeForLearner } from "../server/services/referrals.ts";
import { createWorkspace, getWorkspace } from "../server/services/workspaces.ts";

const dir = mkdtempSync(join(tmpdir(), "chorus-prof-"));
const client = createClient({ url: `file:${join(dir, "bench.db")}` });
await prepareFileDatabase(client);
await migrateDatabase(client);
const counts = new Map<string, number>();
let on = false;
const db = drizzle(client, {
  schema,
  logger: {
    logQuery(q: string) {
      if (on) counts.set(q, (counts.get(q) ?? 0) + 1);
    },
  },
}) as any;
const clock = { now: () => new Date() };
const secret = "bench-secret-0123456789-0123456789-0123";
const created = await createWorkspace({ db, clock }, { name: "Bench", origins: [], settings: { holdDays: 14 } });
const workspace = (await getWorkspace({ db }, { id: created.id }))!;
const codes: string[] = [];
for (let i = 0; i < 50; i++) {
  const learner = await upsertLearner(
    { db, clock, secret, workspace },
    { sub: `advocate-${i}`, name: `Advocate ${i}` },
  );
  codes.push((await codeForLearner({ db, workspace, clock }, { learner, course: "" })).code);
}
const items = (b: number) =>
  Array.from({ length: 100 }, (_, i) => {
    const n = b + i;
    return {
      id: `batch-${n}`,
      type: "enrollment" as const,
      customer: { id: `customer-${n}`, email: `customer-${n}@example.org` },
      course: "data-analytics",
      amount: 499_900,
      currency: "INR",
      code: codes[n % codes.length],
    };
  });
await recordConversionBatch({ db, clock, secret, workspace }, items(0));
on = true;
await recordConversionBatch({ db, clock, secret, workspace }, items(100));
let total = 0;
for (const [q, n] of [...counts.entries()].sort((a, b) => b[1] - a[1])) {
  total += n;
  console.log(n, q);
}
console.log("total", total);
