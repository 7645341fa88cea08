/** Posting conversions in tests: a workspace's secret key and a body with sensible defaults. */

import type { ProgramSettingsInput } from "../../db/program-settings.ts";
import type { ConversionResponse } from "../../server/services/conversions.ts";
import { referrerFactory } from "./click-factories.ts";
import { workspaceFactory } from "./factories.ts";
import type { TestApp } from "./test-app.ts";

/** A conversion answer, or an error envelope. */
export type ConversionJson = ConversionResponse & { error?: { code: string; message: string; details?: unknown } };

export type ConversionBody = Record<string, unknown> & { id: string };

let counter = 0;

/** A fresh conversion id for each call. */
export function conversionId(prefix = "order"): string {
  counter++;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export function enrollment(overrides: Partial<ConversionBody> = {}): ConversionBody {
  return {
    id: conversionId(),
    type: "enrollment",
    customer: { id: `friend-${conversionId("c")}` },
    course: "data-analytics",
    amount: 499_900,
    currency: "INR",
    ...overrides,
  };
}

/** POST /v1/conversions with the workspace's secret key. */
export function poster(t: TestApp, secretKey: string) {
  return async (body: unknown) => {
    const response = await t.call("POST", "/v1/conversions", {
      body,
      headers: { Authorization: `Bearer ${secretKey}` },
    });
    return { response, status: response.status, json: (await response.clone().json()) as ConversionJson };
  };
}

/**
 * A workspace with the given program settings, its referrer Priya, and the provider's server
 * posting conversions: what the reward-rule suites start from.
 */
/** A workspace with a rewards program, its referrer Priya, and calls as its server. */
export type RewardsProgram = Awaited<ReturnType<typeof rewardsProgram>>;

export async function rewardsProgram(t: TestApp, settings: ProgramSettingsInput = {}) {
  const ws = await workspaceFactory(t.db, { settings });
  const priya = await referrerFactory(t.db, ws.id, { sub: "priya", name: "Priya" }, { now: t.clock.now() });
  return { ws, priya, post: poster(t, ws.secretKey), auth: { Authorization: `Bearer ${ws.secretKey}` } };
}
