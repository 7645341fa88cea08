/** The real app behind a real HTTP server on 127.0.0.1, for tests that need sockets and concurrency. */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createApp } from "../../server/app.ts";
import type { Config } from "../../server/config.ts";
import type { Deps } from "../../server/types.ts";
import { freshDatabase, type TestDatabase } from "./database.ts";
import { testConfig } from "./test-app.ts";

export type LiveServer = TestDatabase & { baseUrl: string; close: () => Promise<void> };

export async function startLiveServer(
  options: { config?: Partial<Config>; deps?: Partial<Deps> } = {},
): Promise<LiveServer> {
  const database = await freshDatabase();
  const app = createApp({
    db: database.db,
    clock: { now: () => new Date() },
    // Links use the origin the request came to, as a server without PUBLIC_URL does.
    config: { ...testConfig, publicUrl: undefined, ...options.config },
    clientIp: (c) => getConnInfo(c).remote.address,
    clickRecorder: { exclusive: true },
    ...options.deps,
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    ...database,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      database.cleanup();
    },
  };
}
