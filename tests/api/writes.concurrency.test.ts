/**
 * Everything that writes, at once, in one process: conversion transactions (which await between
 * their statements) beside clicks, learner upserts and shares. Nothing may fail with a lock error.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { learnerCode, visitor } from "../support/referrals.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let ws: CreatedWorkspace;
beforeEach(async () => {
  t = await createTestApp({ trustProxy: true });
  ws = await workspaceFactory(t.db, { settings: { defaultTargetUrl: "https://academy.example/" } });
});
afterEach(() => t.cleanup());

describe("concurrent writes of every kind", () => {
  it("all succeed while conversion transactions are open", async () => {
    const code = await learnerCode(t, ws, "priya");
    const post = poster(t, ws.secretKey);
    const work: Promise<number>[] = [];
    for (let i = 0; i < 40; i++) {
      work.push(post(enrollment({ code })).then((r) => r.status));
      work.push(t.call("GET", `/r/${code}`, { headers: visitor(`198.51.100.${i}`) }).then((r) => r.status));
      work.push(
        learnerToken(ws, { sub: `learner-${i}` }).then((token) =>
          t
            .call("POST", "/v1/referrals/me", {
              headers: { "Chorus-Key": ws.publishableKey, Origin: testOrigin, Authorization: `Bearer ${token}` },
            })
            .then((r) => r.status),
        ),
      );
    }
    const statuses = await Promise.all(work);
    expect(statuses.filter((s) => s >= 400)).toEqual([]);
    const count = async (table: string) =>
      Number((await t.client.execute(`select count(*) as n from ${table}`)).rows[0]?.n);
    expect(await count("conversions")).toBe(40);
    expect(await count("clicks")).toBe(40);
    expect(await count("learners")).toBe(41);
  });
});
