/**
 * The throwaway-mail domain list lives in the database (db/disposable-domains.ts), loaded with
 * the migrations, so that neither the Workers bundle nor a cold start carries 2.4 MB of JSON.
 */
import { createRequire } from "node:module";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDisposableDomains, loadedDisposableDomainsVersion } from "../../db/disposable-domains.ts";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { type Referrer, referrerFactory } from "../support/click-factories.ts";
import { enrollment, poster } from "../support/conversions.ts";
import { workspaceFactory } from "../support/factories.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

const installed = createRequire(import.meta.url)("disposable-email-domains/package.json") as { version: string };

let t: TestApp;
let ws: CreatedWorkspace;
let priya: Referrer;
let post: ReturnType<typeof poster>;

beforeEach(async () => {
  t = await createTestApp();
  ws = await workspaceFactory(t.db, {
    settings: { fraud: { selfReferral: true, disposableEmail: true, botClicks: true, velocityPerDay: null } },
  });
  priya = await referrerFactory(t.db, ws.id, { sub: "priya", name: "Priya" }, { now: t.clock.now() });
  post = poster(t, ws.secretKey);
});
afterEach(() => t.cleanup());

const disposableStep = async (email: string, id: string) => {
  const { json, status } = await post(enrollment({ id, customer: { id, email }, code: priya.code }));
  expect(status).toBe(201);
  return (json.attribution.decision as { rule: string; result: string; detail: string }[]).find(
    (step) => step.rule === "disposable-email",
  );
};
const count = async () =>
  Number((await t.client.execute("SELECT count(*) AS n FROM disposable_domains")).rows[0]?.n ?? 0);

describe("the disposable-email domain list", () => {
  it("is loaded by the migrations: the installed package's whole list, exact and wildcard domains", async () => {
    expect(await loadedDisposableDomainsVersion(t.client)).toBe(installed.version);
    expect(await count()).toBeGreaterThan(100_000);
    // mailinator.com is an exact entry; 33mail.com a wildcard one, so its subdomains count too.
    expect(await disposableStep("a@mailinator.com", "c-1")).toMatchObject({ result: "fail" });
    expect(await disposableStep("a@anything.33mail.com", "c-2")).toMatchObject({
      result: "fail",
      detail: "email domain anything.33mail.com is a disposable-email service",
    });
    expect(await disposableStep("a@Example.COM", "c-3")).toMatchObject({ result: "pass" });
  });

  it("is not loaded again when the installed version is the loaded one", async () => {
    expect(await loadDisposableDomains(t.client)).toMatchObject({ loaded: false, version: installed.version });
  });

  it("is replaced whole when another version is installed", async () => {
    const result = await loadDisposableDomains(t.client, { version: "9.9.9", domains: ["throwaway.test"] });
    expect(result).toEqual({ loaded: true, version: "9.9.9", domains: 1 });
    expect(await count()).toBe(1);
    expect(await loadedDisposableDomainsVersion(t.client)).toBe("9.9.9");
    expect(await disposableStep("a@mx.throwaway.test", "c-4")).toMatchObject({ result: "fail" });
    expect(await disposableStep("a@mailinator.com", "c-5")).toMatchObject({ result: "pass" });
  });

  it("says so in the decision log when no list is loaded, rather than passing the rule", async () => {
    await t.client.execute("DELETE FROM disposable_domains");
    expect(await disposableStep("a@mailinator.com", "c-6")).toEqual({
      rule: "disposable-email",
      result: "skip",
      detail: "the disposable-email domain list is not loaded (run `chorus db migrate`)",
    });
  });
});
