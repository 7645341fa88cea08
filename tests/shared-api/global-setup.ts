/** Starts the project's target (see targets.ts) before its files run and stops it afterwards. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { buildAssets, buildCompiledServer } from "../support/assets.ts";
import { runCli, startServer } from "../support/processes.ts";
import { startSqld } from "../support/sqld.ts";
import { startWranglerDev } from "../support/wrangler-dev.ts";
import { projectPrefix, type SharedApiTarget, sharedApiTargets, suiteSecret } from "./targets.ts";

export type TargetInfo = { name: SharedApiTarget; baseUrl: string; databaseUrl: string };

declare module "vitest" {
  export interface ProvidedContext {
    sharedApiTarget: TargetInfo;
  }
}

type Started = { baseUrl: string; databaseUrl: string; stop: () => Promise<unknown> };

/**
 * A 500 in the suite shows only its request id; the server logged the error itself under that id
 * (server/app.ts). Printed at the end, so a failure on a busy CI machine can be read afterwards.
 */
function reportServerErrors(name: string, output: string) {
  const start = output.search(/^\[[0-9a-f-]{36}\]/m);
  if (start >= 0) console.error(`The ${name} server logged errors:\n${output.slice(start)}`);
}

/** Stops what was started so far, in reverse order, whatever fails. */
async function stopAll(stops: (() => Promise<unknown>)[]) {
  for (const stop of stops.reverse()) await stop().catch((error) => console.error(error));
}

async function start(name: SharedApiTarget, stops: (() => Promise<unknown>)[]): Promise<Started> {
  // CHORUS_DEMO=0: the suite makes its own workspaces (and a demo on a remote database would
  // write its keys file into the repository's data/).
  const env = { CHORUS_DEMO: "0", CHORUS_SECRET: suiteSecret };
  if (name === "node-file") {
    const dir = mkdtempSync(join(tmpdir(), "chorus-target-"));
    stops.push(async () => rmSync(dir, { recursive: true, force: true }));
    const databaseUrl = `file:${join(dir, "chorus.db")}`;
    // The production start: `npm run build`'s JavaScript on plain node, no TypeScript tooling.
    // (The tsx start of `npm start` runs in the process tests and on the node-sqld target.)
    buildCompiledServer();
    const server = await startServer({ ...env, DATABASE_URL: databaseUrl }, { compiled: true });
    stops.push(() => server.stop().finally(() => reportServerErrors(name, server.output())));
    return { baseUrl: server.baseUrl, databaseUrl, stop: () => stopAll(stops) };
  }
  const sqld = await startSqld();
  stops.push(sqld.stop);
  // A libSQL server is migrated by the documented CLI command, as in production: neither the
  // Node server (which migrates only its own embedded file) nor the worker (no disk) does it.
  const migrated = runCli(["db", "migrate"], { DATABASE_URL: sqld.url });
  if (migrated.status !== 0) throw new Error(`db migrate failed:\n${migrated.stdout}${migrated.stderr}`);
  if (name === "node-sqld") {
    const server = await startServer({ ...env, DATABASE_URL: sqld.url });
    stops.push(() => server.stop().finally(() => reportServerErrors(name, server.output())));
    return { baseUrl: server.baseUrl, databaseUrl: sqld.url, stop: () => stopAll(stops) };
  }
  const worker = await startWranglerDev({
    DATABASE_URL: sqld.url,
    CHORUS_SECRET: suiteSecret,
  });
  stops.push(worker.stop);
  return { baseUrl: worker.baseUrl, databaseUrl: sqld.url, stop: () => stopAll(stops) };
}

export default async function setup(project: TestProject) {
  const name = project.name.slice(projectPrefix.length) as SharedApiTarget;
  if (!sharedApiTargets.includes(name)) throw new Error(`Unknown shared API target in project ${project.name}`);
  buildAssets();
  const stops: (() => Promise<unknown>)[] = [];
  let started: Started;
  try {
    started = await start(name, stops);
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
  project.provide("sharedApiTarget", { name, baseUrl: started.baseUrl, databaseUrl: started.databaseUrl });
  return () => started.stop();
}
