/**
 * The environment is read in one place (server/config.ts): the defaults are the README's
 * configuration table, and a malformed value fails naming its variable instead of becoming NaN.
 */
import { describe, expect, it } from "vitest";
import { cliSettings, nodeSettings, workerSettings } from "../../server/config.ts";

const secret = "s".repeat(40);

describe("configuration", () => {
  it("defaults to the README's table", () => {
    const settings = nodeSettings({});
    expect(settings).toMatchObject({
      port: 8787,
      host: "localhost",
      database: { url: "file:./data/chorus.db", authToken: undefined, synchronous: "FULL" },
      demo: true,
      secret: undefined,
    });
    expect(settings.config(secret)).toEqual({
      secret,
      publicUrl: undefined,
      fallbackUrl: undefined,
      trustProxy: false,
      bodyLimitBytes: 65_536,
      readyOutboxMaxAgeSeconds: 300,
    });
    expect(settings).toMatchObject({ logLevel: "info", metricsToken: undefined, mediaDir: undefined });
    expect(nodeSettings({ MEDIA_DIR: "/srv/chorus-media" }).mediaDir).toBe("/srv/chorus-media");
  });

  it("reads every variable it documents, and an empty one as unset", () => {
    const settings = nodeSettings({
      PORT: "9000",
      HOST: "0.0.0.0",
      DATABASE_URL: "libsql://chorus.example.turso.io",
      DATABASE_AUTH_TOKEN: "token",
      PUBLIC_URL: "https://go.acme.example",
      FALLBACK_URL: "",
      CHORUS_SECRET: secret,
      CHORUS_DEMO: "0",
      CHORUS_DB_SYNCHRONOUS: "NORMAL",
      TRUST_PROXY: "1",
      BODY_LIMIT_BYTES: "2048",
      CLICKS_PER_ADDRESS_PER_MINUTE: "900",
    });
    expect(settings).toMatchObject({ port: 9000, host: "0.0.0.0", demo: false, secret });
    expect(settings.database).toEqual({
      url: "libsql://chorus.example.turso.io",
      authToken: "token",
      synchronous: "NORMAL",
    });
    expect(settings.config(secret)).toEqual({
      secret,
      publicUrl: "https://go.acme.example",
      fallbackUrl: undefined,
      trustProxy: true,
      bodyLimitBytes: 2048,
      clicksPerAddressPerMinute: 900,
      readyOutboxMaxAgeSeconds: 300,
    });
    // 0 turns the per-address click limit off.
    expect(nodeSettings({ CLICKS_PER_ADDRESS_PER_MINUTE: "0" }).config(secret).clicksPerAddressPerMinute).toBeNull();
  });

  it.each([
    ["PORT", "abc", "PORT must be a whole number from 0 to 65535"],
    ["PORT", "70000", "PORT must be from 0 to 65535"],
    ["BODY_LIMIT_BYTES", "64k", "BODY_LIMIT_BYTES must be a whole number"],
    ["TRUST_PROXY", "yes", "TRUST_PROXY must be 1 or 0"],
    ["CHORUS_DEMO", "no", "CHORUS_DEMO must be 1 or 0"],
    ["PUBLIC_URL", "go.acme.example", "PUBLIC_URL must be an http(s) URL"],
    ["PUBLIC_URL", "https://go.acme.example@evil.test", "PUBLIC_URL must not contain a user name or password"],
    ["CLICKS_PER_ADDRESS_PER_MINUTE", "lots", "CLICKS_PER_ADDRESS_PER_MINUTE must be a whole number"],
    ["DATABASE_URL", "postgres://x", "DATABASE_URL must be file:"],
    ["LOG_LEVEL", "verbose", "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent"],
    ["READY_OUTBOX_MAX_AGE_SECONDS", "30", "READY_OUTBOX_MAX_AGE_SECONDS must be from 60 to 86400"],
    ["READY_OUTBOX_MAX_AGE_SECONDS", "5m", "READY_OUTBOX_MAX_AGE_SECONDS must be a whole number"],
  ])("refuses %s=%s, naming it", (name, value, message) => {
    expect(() => nodeSettings({ [name]: value })).toThrow(message);
  });

  it("turns mail on with SMTP_URL and MAIL_FROM together, off with neither, and refuses one alone", () => {
    expect(nodeSettings({}).mail).toBeNull();
    const on = { SMTP_URL: "smtps://user:p%40ss@smtp.acme.example:465", MAIL_FROM: "rewards@acme.example" };
    expect(nodeSettings(on).mail).toEqual({ smtpUrl: on.SMTP_URL, from: on.MAIL_FROM, perRecipientPerDay: 10 });
    expect(nodeSettings({ ...on, MAIL_PER_RECIPIENT_PER_DAY: "3" }).mail?.perRecipientPerDay).toBe(3);
    expect(() => nodeSettings({ SMTP_URL: on.SMTP_URL })).toThrow("MAIL_FROM must be set too");
    expect(() => nodeSettings({ MAIL_FROM: on.MAIL_FROM })).toThrow("SMTP_URL must be set too");
    expect(() => nodeSettings({ ...on, SMTP_URL: "http://smtp.acme.example" })).toThrow(/SMTP_URL must be smtp:/);
    // The URL carries the SMTP password: never echoed.
    expect(() => nodeSettings({ ...on, SMTP_URL: "smtp://user:hunter2 x@h" })).not.toThrow(/hunter2/);
    expect(() => nodeSettings({ ...on, MAIL_FROM: "Acme <a@b.example>\r\nBcc: x@y.example" })).toThrow(
      /MAIL_FROM must be one email address/,
    );
    expect(() => nodeSettings({ ...on, MAIL_PER_RECIPIENT_PER_DAY: "0" })).toThrow(/MAIL_PER_RECIPIENT_PER_DAY/);
  });

  it("reads the operations settings: log level, metrics token, readiness limit", () => {
    const settings = nodeSettings({
      LOG_LEVEL: "warn",
      METRICS_TOKEN: "m".repeat(32),
      READY_OUTBOX_MAX_AGE_SECONDS: "900",
    });
    expect(settings).toMatchObject({ logLevel: "warn", metricsToken: "m".repeat(32) });
    expect(settings.config(secret).readyOutboxMaxAgeSeconds).toBe(900);
    // The token guards the metrics: too short is refused, and never echoed.
    expect(() => nodeSettings({ METRICS_TOKEN: "short-token" })).toThrow(/METRICS_TOKEN must be at least 24/);
    expect(() => nodeSettings({ METRICS_TOKEN: "short-token" })).not.toThrow(/short-token/);
  });

  it("never puts a secret in its message", () => {
    expect(() => nodeSettings({ CHORUS_SECRET: "short-secret-value" })).toThrow(/CHORUS_SECRET must be at least 32/);
    expect(() => nodeSettings({ CHORUS_SECRET: "short-secret-value" })).not.toThrow(/short-secret-value/);
  });

  it("keeps the demo for a first run, and off in production unless asked for", () => {
    expect(nodeSettings({})).toMatchObject({ demo: true });
    expect(nodeSettings({ NODE_ENV: "development" })).toMatchObject({ demo: true });
    expect(nodeSettings({ PUBLIC_URL: "http://localhost:8787" })).toMatchObject({ demo: true });
    const production = { NODE_ENV: "production", PUBLIC_URL: "http://go.acme.example" };
    expect(nodeSettings(production)).toMatchObject({
      demo: false,
      demoReason: "NODE_ENV=production; CHORUS_DEMO=1 turns it on",
    });
    expect(nodeSettings({ PUBLIC_URL: "https://go.acme.example" })).toMatchObject({ demo: false });
    expect(nodeSettings({ ...production, CHORUS_DEMO: "1" })).toMatchObject({ demo: true });
    expect(nodeSettings({ CHORUS_DEMO: "0" })).toMatchObject({ demo: false, demoReason: "CHORUS_DEMO=0" });
  });

  it("needs PUBLIC_URL in production, so no link is built from a request's Host header", () => {
    expect(() => nodeSettings({ NODE_ENV: "production" })).toThrow("PUBLIC_URL must be set when NODE_ENV=production");
    expect(
      nodeSettings({ NODE_ENV: "production", PUBLIC_URL: "https://go.acme.example" }).config(secret),
    ).toMatchObject({
      publicUrl: "https://go.acme.example",
    });
  });

  it("makes an embedded file a replica with DATABASE_SYNC_URL, and refuses one without a file or a malformed one", () => {
    const replica = {
      DATABASE_URL: "file:./data/chorus.db",
      DATABASE_SYNC_URL: "libsql://chorus-acme.turso.io",
      DATABASE_AUTH_TOKEN: "token",
    };
    expect(nodeSettings(replica).database).toEqual({
      url: "file:./data/chorus.db",
      authToken: "token",
      synchronous: "FULL",
      sync: { url: "libsql://chorus-acme.turso.io", intervalSeconds: 1 },
    });
    // The CLI reads them too (it then talks to the primary).
    expect(cliSettings({ ...replica, DATABASE_SYNC_INTERVAL_SECONDS: "30" }).sync).toEqual({
      url: "libsql://chorus-acme.turso.io",
      intervalSeconds: 30,
    });
    expect(nodeSettings({}).database).not.toHaveProperty("sync");
    expect(() => nodeSettings({ ...replica, DATABASE_URL: "http://127.0.0.1:8080" })).toThrow(
      "DATABASE_SYNC_URL needs DATABASE_URL to be a file:PATH",
    );
    expect(() => nodeSettings({ ...replica, DATABASE_SYNC_INTERVAL_SECONDS: "0" })).toThrow(
      /DATABASE_SYNC_INTERVAL_SECONDS must be from 1 to 3600/,
    );
    // A URL may carry credentials: named, never echoed.
    const malformed = "ftp://user:hunter2@primary.example";
    expect(() => nodeSettings({ ...replica, DATABASE_SYNC_URL: malformed })).toThrow(
      /DATABASE_SYNC_URL must be libsql:/,
    );
    expect(() => nodeSettings({ ...replica, DATABASE_SYNC_URL: malformed })).not.toThrow(/hunter2/);
  });

  it("lets the CLI ignore the server's variables", () => {
    expect(cliSettings({ PORT: "abc", DATABASE_URL: "http://127.0.0.1:8080" }).url).toBe("http://127.0.0.1:8080");
  });

  it("requires a libSQL server and the secret on Workers", () => {
    expect(() => workerSettings({})).toThrow("DATABASE_URL and CHORUS_SECRET are not set");
    expect(() => workerSettings({ DATABASE_URL: "file:./data/chorus.db", CHORUS_SECRET: secret })).toThrow(/file/);
    expect(workerSettings({ DATABASE_URL: "https://db.example", CHORUS_SECRET: secret, PORT: "abc" })).toMatchObject({
      database: { url: "https://db.example" },
      config: { secret, trustProxy: false, bodyLimitBytes: 65_536 },
    });
    // The worker has only libSQL's HTTP client: a WebSocket URL names the same server over HTTP(S).
    const over = (url: string) => workerSettings({ DATABASE_URL: url, CHORUS_SECRET: secret }).database.url;
    expect(over("wss://chorus.turso.io")).toBe("https://chorus.turso.io");
    expect(over("ws://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    expect(over("libsql://chorus.turso.io")).toBe("libsql://chorus.turso.io");
  });

  it("turns Workers mail on with MAIL_API_KEY, MAIL_FROM and PUBLIC_URL, off with neither", () => {
    const base = { DATABASE_URL: "https://db.example", CHORUS_SECRET: secret };
    expect(workerSettings(base).mail).toBeNull();
    const on = {
      ...base,
      MAIL_API_KEY: "re_live_key",
      MAIL_FROM: "rewards@acme.example",
      PUBLIC_URL: "https://go.acme.example",
    };
    expect(workerSettings(on).mail).toEqual({
      apiUrl: undefined,
      apiKey: "re_live_key",
      from: "rewards@acme.example",
      publicUrl: "https://go.acme.example",
      perRecipientPerDay: 10,
    });
    expect(workerSettings({ ...on, MAIL_API_URL: "http://127.0.0.1:9000/emails" }).mail?.apiUrl).toBe(
      "http://127.0.0.1:9000/emails",
    );
    expect(() => workerSettings({ ...base, MAIL_API_KEY: "re_live_key" })).toThrow(
      "MAIL_FROM and PUBLIC_URL must be set too",
    );
    expect(() => workerSettings({ ...on, MAIL_API_URL: "ftp://mail.example" })).toThrow(/MAIL_API_URL/);
    expect(() => workerSettings({ ...on, MAIL_FROM: "not an address" })).toThrow(/MAIL_FROM/);
  });
});
