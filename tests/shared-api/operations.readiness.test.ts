/**
 * /readyz and /metrics on every target: the database answers and has this build's migrations
 * (workerd cannot read the migration files: it says the check was skipped), and /metrics is off
 * unless the Node server has METRICS_TOKEN (the targets run without one).
 */
import { describe, expect, it } from "vitest";
import { api, expectError, target } from "./client.ts";

type Checks = { database: string; migrations: string; webhooks: string; mail: string };

describe("readiness and metrics", () => {
  it("reports the database and migrations ready", async () => {
    const response = await api("GET", "/readyz");
    // The targets' databases are shared by every file; on workerd no cron drains the webhooks
    // other files queue, so a long run may find the outbox overdue. Everything else must pass.
    const checks =
      response.status === 200
        ? ((await response.json()) as { status: string; checks: Checks }).checks
        : ((await expectError(response, 503, "unavailable")).details as { checks: Checks }).checks;
    expect(checks.database).toBe("ok");
    expect(checks.migrations).toBe(
      target().name === "workerd" ? "skipped: this runtime cannot read the migration files" : "ok",
    );
    if (response.status !== 200) expect(checks.webhooks).toMatch(/^not draining/);
  });

  it("keeps /metrics off without METRICS_TOKEN", async () => {
    await expectError(await api("GET", "/metrics"), 404, "not_found");
  });
});
