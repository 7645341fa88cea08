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

/**
 * `port` fixes the port (0: any free one); `host` is the name in `baseUrl`: `localhost` for
 * browser features that need a secure context and a real relying-party id (WebAuthn), which
 * `127.0.0.1` is not.
 */
export async function startLiveServer(
  options: { config?: Partial<Config>; deps?: Partial<Deps>; port?: number; host?: "127.0.0.1" | "localhost" } = {},
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
  const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    ...database,
    baseUrl: `http://${options.host ?? "127.0.0.1"}:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      database.cleanup();
    },
  };
}
