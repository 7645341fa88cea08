/**
 * The Workers build's stand-in for `@libsql/client` (`workerAliases` in worker.build.ts): its
 * Workers build (`web.js`) holds the WebSocket client as well as the HTTP one, ~4 KB gzip of every
 * cold start. The worker reaches its database over HTTP only (server/worker.ts; server/config.ts
 * turns a `ws://`/`wss://` DATABASE_URL into the same server's `http://`/`https://`), and the one
 * other importer, drizzle's `drizzle-orm/libsql`, calls `createClient` only when given a URL
 * instead of a client, which Chorus never does.
 */
export * from "@libsql/client/http";
