/** Connectors in tests: made through the admin API, fixtures read from tests/fixtures/, bodies signed as the platforms sign them. */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import type { TestApp } from "./test-app.ts";

export function fixture(platform: string, name: string): Record<string, unknown> & unknown[] {
  return JSON.parse(readFileSync(new URL(`../fixtures/${platform}/${name}.json`, import.meta.url), "utf8"));
}

export type MadeConnector = { id: string; token: string; path: string; platform: string };

export async function makeConnector(
  t: TestApp,
  secretKey: string,
  body: Record<string, unknown>,
): Promise<MadeConnector> {
  const response = await t.call("POST", "/v1/admin/integrations", {
    body,
    headers: { Authorization: `Bearer ${secretKey}` },
  });
  if (response.status !== 201) throw new Error(`connector not made: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Thinkific's `X-Thinkific-Hmac-Sha256`: hex HMAC-SHA256 of the raw body. */
export const thinkificSignature = (body: string, key: string) => createHmac("sha256", key).update(body).digest("hex");

/** Posts `payload` to the connector as raw bytes (not re-serialised), with its token unless told otherwise. */
export function deliver(
  t: TestApp,
  connector: MadeConnector,
  payload: unknown,
  options: {
    token?: string | null;
    headers?: Record<string, string>;
    sign?: (body: string) => Record<string, string>;
  } = {},
) {
  const body = JSON.stringify(payload, null, 2);
  const token = options.token === null ? "" : `?token=${options.token ?? connector.token}`;
  return t.call("POST", `${connector.path}${token}`, {
    body,
    headers: { "Content-Type": "application/json", ...options.sign?.(body), ...options.headers },
  });
}
