/**
 * The real app twice over one real libSQL server (sqld), as two server processes or two Workers
 * isolates would be: each instance has its own client (so its own in-process write queue), and
 * `call` alternates between them, so concurrent requests meet in the database, not in a queue.
 * Shaped like `TestApp`, so a test can run unchanged against a file or against sqld.
 */
import { createClient } from "@libsql/client";
import { createDb } from "../../db/index.ts";
import { migrateDatabase } from "../../db/migrate.ts";
import { createApp } from "../../server/app.ts";
import { createClickWriter } from "../../server/services/click-writer.ts";
import { type RunningSqld, startSqld } from "./sqld.ts";
import { caller, type TestApp, testClock, testConfig } from "./test-app.ts";

export type SqldTestApp = TestApp & { stop: () => Promise<void> };

export async function createSqldTestApp(sqld?: RunningSqld): Promise<SqldTestApp> {
  const server = sqld ?? (await startSqld());
  const clients = [createClient({ url: server.url }), createClient({ url: server.url })];
  await migrateDatabase(clients[0]!);
  const clock = testClock();
  const writers = clients.map((client) => createClickWriter({ db: createDb(client) }));
  const apps = clients.map((client, i) =>
    createApp({ db: createDb(client), clock, config: testConfig, clickWriter: writers[i] }),
  );
  let turn = 0;
  const call = caller(() => apps[turn++ % apps.length]!);
  const client = clients[0]!;
  const close = () => {
    for (const each of clients) each.close();
  };
  return {
    app: apps[0]!,
    db: createDb(client),
    client,
    clock,
    call,
    flushClicks: async () => {
      await Promise.all(writers.map((writer) => writer.flush()));
    },
    file: "",
    url: server.url,
    cleanup: close,
    stop: async () => {
      close();
      if (!sqld) await server.stop();
    },
  };
}
