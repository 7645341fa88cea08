/** Helpers for referral tests: a learner's code through the real API, and browser-like headers. */
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { learnerToken, testOrigin } from "./factories.ts";
import type { TestApp } from "./test-app.ts";

export const chromeUserAgent =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

/** Headers of a real phone browser at a given IP (the test app trusts X-Forwarded-For). */
export function visitor(ip = "203.0.113.7", userAgent = chromeUserAgent): Record<string, string> {
  return { "User-Agent": userAgent, "X-Forwarded-For": ip };
}

export async function learnerCode(
  t: TestApp,
  ws: CreatedWorkspace,
  sub = "priya",
  extra: Record<string, unknown> = {},
) {
  const response = await t.call("POST", "/v1/referrals/me", {
    headers: {
      "Chorus-Key": ws.publishableKey,
      Origin: testOrigin,
      Authorization: `Bearer ${await learnerToken(ws, { sub })}`,
    },
    body: extra,
  });
  if (response.status !== 200) throw new Error(`referrals/me answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { code: string }).code;
}

export async function countClicks(t: TestApp): Promise<number> {
  const rows = await t.client.execute("select count(*) as n from clicks");
  return Number(rows.rows[0]?.n);
}
