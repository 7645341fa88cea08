/**
 * The server side of bench/redirect.ts, in its own process so the load generator does not share
 * its event loop: the real app as `npm start` builds it, plus a Hono hello-world route to compare
 * against. Prints `{ port, code, file }` once listening; on SIGINT flushes clicks, prints
 * `{ answeredClickIds, storedClicks, lostClicks }` and exits.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { defaultProgramSettings } from "../../db/program-settings.ts";
import { createApp } from "../../server/app.ts";
import { openDatabase } from "../../server/node-database.ts";
import { createClickWriter } from "../../server/services/click-writer.ts";
import { upsertLearner } from "../../server/services/learners.ts";
import { codeForLearner } from "../../server/services/referrals.ts";
import { createWorkspace, getWorkspace } from "../../server/services/workspaces.ts";

const file = process.argv[2];
if (!file) throw new Error("usage: redirect-server.ts DATABASE_FILE");
const { client, db } = await openDatabase({ url: `file:${file}` }, "apply");
const secret = "bench-secret-0123456789-0123456789-0123456789";
const now = new Date();
const created = await createWorkspace(
  { db, clock: { now: () => now } },
  {
    name: "Bench",
    origins: [],
    settings: {
      defaultTargetUrl: "https://academy.example/course",
      // The limiter runs on every redirect (its cost is measured) but never refuses: the bench
      // sends one visitor thousands of times a second, and counts every answered click.
      rateLimits: {
        ...defaultProgramSettings().rateLimits,
        clicks: {
          perVisitor: { limit: 1_000_000_000, windowSeconds: 60 },
          perWorkspace: { limit: 1_000_000_000, windowSeconds: 60 },
        },
      },
    },
  },
);
const workspace = await getWorkspace({ db }, { id: created.id });
if (!workspace) throw new Error("workspace missing");
const learner = await upsertLearner(
  { db, clock: { now: () => now }, secret, workspace },
  { sub: "bench-learner", name: "Bench" },
);
const { code } = await codeForLearner({ db, workspace, clock: { now: () => now } }, { learner, course: "" });

const clickWriter = createClickWriter({ db });
const app = createApp({
  db,
  clock: { now: () => new Date() },
  // trustProxy: the load generator gives each request its own X-Forwarded-For, i.e. a new visitor.
  // The per-address click limit runs too, but (like the workspace's limits above) never refuses.
  config: { secret, bodyLimitBytes: 65536, trustProxy: true, clicksPerAddressPerMinute: 1_000_000_000 },
  clickRecorder: { exclusive: true },
  clickWriter,
  clientIp: (c) => getConnInfo(c).remote.address,
});
app.get("/bench/hello", (c) => c.text("Hello Hono!"));
// The server process's CPU time so far, so the bench can report CPU per request next to the
// throughput: on a shared machine it moves far less with the neighbours' load than requests/s do.
app.get("/bench/cpu", (c) => c.json(process.cpuUsage()));

// Every click id a redirect handed out, as the visitor's browser received it: after the last
// flush each one must be a stored row. (Counting answers in the load generator instead would
// miss redirects answered after it stopped counting, and net them against lost ones.)
const answeredClickIds = new Set<string>();
const server = serve({
  fetch: async (request, env) => {
    const response = await app.fetch(request, env);
    // A string search, not a URL parse: this bookkeeping is the bench's, and parsing every
    // Location cost about a tenth of the redirect's own CPU, charged to the redirect.
    if (response.status === 302) {
      const location = response.headers.get("Location") ?? "";
      const at = location.indexOf("chorus_cid=");
      if (at >= 0) answeredClickIds.add(location.slice(at + "chorus_cid=".length).split("&")[0] ?? "");
    }
    return response;
  },
  port: 0,
  hostname: "127.0.0.1",
});
server.once("listening", () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port, code, file }));
});
process.on("SIGINT", () => {
  server.close(async () => {
    await clickWriter.flush();
    const stored = new Set((await client.execute("SELECT id FROM clicks")).rows.map((row) => String(row.id)));
    const lost = [...answeredClickIds].filter((id) => !stored.has(id)).length;
    console.log(
      JSON.stringify({ answeredClickIds: answeredClickIds.size, storedClicks: stored.size, lostClicks: lost }),
    );
    client.close();
    process.exit(0);
  });
});
