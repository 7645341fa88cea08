/** The real app over a real database file, with a clock the test moves by hand. */
import { dirname, join } from "node:path";
import { createApp } from "../../server/app.ts";
import type { Config } from "../../server/config.ts";
import { createFileMediaStore } from "../../server/node-media-store.ts";
import { createClickWriter } from "../../server/services/click-writer.ts";
import type { MediaStore } from "../../server/services/media-store.ts";
import type { Deps } from "../../server/types.ts";
import { freshDatabase, type TestDatabase } from "./database.ts";

export type TestClock = { now(): Date; set(date: Date | string): void; advance(ms: number): void };

export function testClock(start: Date | string = "2026-11-01T10:00:00Z"): TestClock {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (date) => {
      current = new Date(date);
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}

export const testConfig: Config = {
  secret: "test-secret-0123456789-0123456789-0123456789",
  publicUrl: "https://chorus.test",
  bodyLimitBytes: 64 * 1024,
  trustProxy: false,
};

export type TestApp = TestDatabase & {
  app: ReturnType<typeof createApp>;
  clock: TestClock;
  /** Resolves once every click queued for the group commit is written. */
  flushClicks: () => Promise<void>;
  /** `app.request` with a JSON body and headers made easy. */
  call: (
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string> },
  ) => Promise<Response>;
};

/** Where the test app keeps media: files under `mediaDir`, beside the database file (as on Node). */
export type MediaFolder = { media: MediaStore; mediaDir: string };

export async function createTestApp(
  config: Partial<Config> = {},
  deps: Partial<Pick<Deps, "fetch" | "outbound" | "mailTransport" | "stripeApi">> = {},
): Promise<TestApp & MediaFolder> {
  const database = await freshDatabase();
  const clock = testClock();
  // The app as the Node entry builds it: a group-commit writer (kept here so tests can flush it),
  // and this app the only writer of the database's clicks.
  const clickWriter = createClickWriter({ db: database.db });
  const mediaDir = join(dirname(database.file), "media");
  const media = createFileMediaStore(mediaDir);
  const app = createApp({
    db: database.db,
    clock,
    config: { ...testConfig, ...config },
    clickWriter,
    clickRecorder: { exclusive: true },
    media,
    ...deps,
  });
  return { ...database, app, clock, media, mediaDir, call: caller(() => app), flushClicks: () => clickWriter.flush() };
}

/** `call` for in-process requests: a JSON body is serialised and typed; `nextApp` picks the app to ask. */
export function caller(nextApp: () => TestApp["app"]): TestApp["call"] {
  return (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (options.body instanceof Uint8Array) {
      // Bytes as they are (an upload): the caller names their type.
      body = options.body as Uint8Array<ArrayBuffer>;
    } else if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers["Content-Type"] ??= "application/json";
    }
    return Promise.resolve(nextApp().request(`https://chorus.test${path}`, { method, headers, body }));
  };
}

/** Asserts the error envelope of DESIGN.md section 3 and returns it. */
export async function expectError(response: Response, status: number, code: string) {
  const text = await response.text();
  if (response.status !== status) throw new Error(`expected ${status} ${code}, got ${response.status}: ${text}`);
  const body = JSON.parse(text) as { error: { code: string; message: string; requestId: string; details?: unknown } };
  if (body.error?.code !== code) throw new Error(`expected error code ${code}, got ${text}`);
  if (typeof body.error.message !== "string" || body.error.message.length === 0)
    throw new Error("error without message");
  if (body.error.requestId !== response.headers.get("X-Request-Id")) throw new Error("requestId differs from header");
  return body.error;
}
