/**
 * The demo's history, as `npm start` makes it on an empty database: a believable funnel made
 * through the real services, stories with varied outcomes and honest verification levels,
 * outcome figures big enough to show, and nothing added on a later start.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoCatalog } from "../../demo/catalog.ts";
import { type DemoKeys, demoSlug, ensureDemoWorkspace } from "../../demo/seed.ts";
import { freshDatabase } from "../support/database.ts";
import { createTestApp, type TestApp, testConfig } from "../support/test-app.ts";

const origin = "http://localhost:8787";
let t: TestApp;
let dir: string;
let keys: DemoKeys;

const seed = () =>
  ensureDemoWorkspace(t.db, {
    origin,
    keysFile: join(dir, "demo-keys.json"),
    now: t.clock.now(),
    secret: testConfig.secret,
  });

beforeAll(async () => {
  t = await createTestApp();
  dir = mkdtempSync(join(tmpdir(), "chorus-demo-data-"));
  keys = await seed();
  // Six weeks of history, four signed credentials and their checks: seconds, more on a busy machine.
}, 30_000);
afterAll(() => {
  t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const rows = async (sql: string, ...args: (string | number)[]) =>
  (await t.client.execute({ sql, args: [keys.id, ...args] })).rows as unknown as Record<
    string,
    number | string | null
  >[];
const count = async (sql: string, ...args: (string | number)[]) => Number((await rows(sql, ...args))[0]?.n);

async function funnel(where = "") {
  const byType = await rows(
    `select type, count(distinct customer_id) as n from conversions where workspace_id = ? ${where} group by type`,
  );
  const of = (type: string) => Number(byType.find((row) => row.type === type)?.n ?? 0);
  return {
    clicks: await count("select count(*) as n from clicks where workspace_id = ?"),
    signups: of("signup"),
    enrollments: of("enrollment"),
    completions: of("completion"),
  };
}

describe("the demo's history", () => {
  it("narrows like a real funnel, overall and for referred friends", async () => {
    for (const figures of [await funnel(), await funnel("and status = 'attributed'")]) {
      expect(figures.completions).toBeGreaterThan(0);
      expect(figures.enrollments).toBeGreaterThan(figures.completions);
      expect(figures.signups).toBeGreaterThan(figures.enrollments);
      expect(figures.clicks).toBeGreaterThan(figures.signups);
    }
    const revenue = await rows(
      "select currency, sum(amount) as n from conversions where workspace_id = ? and type = 'enrollment' group by currency",
    );
    expect(revenue).toHaveLength(1);
    expect(revenue[0]).toMatchObject({ currency: "INR" });
    expect(Number(revenue[0]?.n)).toBeGreaterThan(0);
    // Every enrolment paid a catalogue price, or that price less the friend's 10% offer.
    const prices = demoCatalog.flatMap((course) => [course.price, Math.round((course.price * 0.9) / 100) * 100]);
    const amounts = await rows(
      "select distinct amount from conversions where workspace_id = ? and type = 'enrollment'",
    );
    for (const { amount } of amounts) expect(prices).toContain(amount);
  });

  it("spreads clicks over six weeks, every channel and several countries, all in the past", async () => {
    const now = t.clock.now().getTime();
    const span = (
      await rows("select min(created_at) as first, max(created_at) as last from clicks where workspace_id = ?")
    )[0]!;
    expect(now - Number(span.first)).toBeGreaterThan(38 * 86_400_000);
    expect(Number(span.last)).toBeLessThanOrEqual(now);
    const channels = (await rows("select distinct channel from clicks where workspace_id = ?")).map(
      (row) => row.channel,
    );
    expect(channels.sort()).toEqual(
      ["copy", "direct", "email", "facebook", "linkedin", "qr", "sms", "telegram", "whatsapp", "x"].sort(),
    );
    expect(
      await count("select count(distinct country) as n from clicks where workspace_id = ?"),
    ).toBeGreaterThanOrEqual(5);
    expect(await count("select count(*) as n from share_events where workspace_id = ?")).toBeGreaterThan(20);
    expect(
      await count("select count(*) as n from clicks where workspace_id = ? and story_id is not null"),
    ).toBeGreaterThan(0);
  });

  it("has about twelve advocates with codes, and gives the demo learner Priya only her own finished course", async () => {
    const advocates = await count(
      "select count(distinct learner_id) as n from referral_codes where workspace_id = ? and kind = 'generated'",
    );
    expect(advocates).toBeGreaterThanOrEqual(10);
    expect(advocates).toBeLessThanOrEqual(14);
    expect(
      await count("select count(*) as n from learners where workspace_id = ? and external_id = 'demo-priya'"),
    ).toBe(0);
    // Her own enrolment and completion (so her story is provider-attested), and no referral of hers.
    const own = await rows(
      "select type, course, status from conversions where workspace_id = ? and customer_id = 'demo-priya' order by occurred_at",
    );
    expect(own).toEqual([
      expect.objectContaining({ type: "enrollment", course: "data-analytics", status: "unattributed" }),
      expect.objectContaining({ type: "completion", course: "data-analytics", status: "unattributed" }),
    ]);
    expect(
      await count("select count(*) as n from conversions where workspace_id = ? and referrer_id = 'demo-priya'"),
    ).toBe(0);
  });

  it("made its conversions through the real service: decision logs, rewards, fraud flags and a refund", async () => {
    const attributed = await rows(
      "select decision from conversions where workspace_id = ? and status = 'attributed' and type != 'refund'",
    );
    expect(attributed.length).toBeGreaterThan(30);
    for (const { decision } of attributed) {
      const rules = (JSON.parse(String(decision)) as { rule: string }[]).map((step) => step.rule);
      expect(rules).toContain("fraud");
    }
    // Two planted cases only: the self-referral and the throwaway address. Velocity caps never trip.
    expect(await count("select count(*) as n from conversions where workspace_id = ? and flagged = 1")).toBe(2);
    const referrerRewards = await count(
      "select count(*) as n from rewards where workspace_id = ? and side = 'referrer' and status != 'void'",
    );
    const rewardedFriends = await count(
      "select count(distinct customer_id) as n from conversions where workspace_id = ? and status = 'attributed' and type = 'enrollment'",
    );
    // One referrer reward per referred enrolment (the program's trigger), minus the refunded one.
    expect(referrerRewards).toBe(rewardedFriends - 1);
    expect(await count("select count(*) as n from rewards where workspace_id = ? and status = 'void'")).toBeGreaterThan(
      0,
    );
    const statuses = (await rows("select distinct status from rewards where workspace_id = ?")).map(
      (row) => row.status,
    );
    expect(statuses).toEqual(expect.arrayContaining(["pending", "approved", "issued", "void"]));
  });

  it("has about fifteen approved stories, every outcome, both verification levels, each level earned", async () => {
    const approved = await rows(
      "select s.course, s.outcome_type, s.verification_level, l.external_id from stories s left join learners l on l.id = s.learner_id where s.workspace_id = ? and s.status = 'approved'",
    );
    expect(approved.length).toBeGreaterThanOrEqual(14);
    expect(approved.length).toBeLessThanOrEqual(18);
    expect(new Set(approved.map((row) => row.outcome_type))).toEqual(
      new Set(["promotion", "salary_increase", "new_job", "career_switch", "started_business", "skills"]),
    );
    const levels = approved.map((row) => row.verification_level);
    expect(levels.filter((level) => level === "provider_attested").length).toBeGreaterThanOrEqual(5);
    expect(levels.filter((level) => level === "self_reported").length).toBeGreaterThanOrEqual(5);
    // The demo provider's own Open Badges 3.0 certificates, checked by the real verifier (issue 20).
    expect(levels.filter((level) => level === "credential_verified").length).toBe(4);
    for (const story of approved.filter((row) => row.verification_level !== "credential_verified")) {
      const completions = story.external_id
        ? await count(
            "select count(*) as n from conversions where workspace_id = ? and type = 'completion' and customer_id = ? and course = ?",
            String(story.external_id),
            String(story.course),
          )
        : 0;
      expect(completions > 0).toBe(story.verification_level === "provider_attested");
    }
    const wall = await t.call("GET", "/v1/stories?course=data-analytics&limit=50", {
      headers: { "Chorus-Key": keys.publishableKey, Origin: origin },
    });
    expect(wall.status).toBe(200);
    expect(((await wall.json()) as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(10);
  });

  it("shows unsuppressed outcome figures for the biggest course", async () => {
    const response = await t.call("GET", "/v1/outcomes?course=data-analytics", {
      headers: { "Chorus-Key": keys.publishableKey, Origin: origin },
    });
    expect(response.status).toBe(200);
    const stats = (await response.json()) as {
      n: number;
      suppressed: boolean;
      salaryIncreasePct: { median: number | null; suppressed: boolean };
      monthsToOutcome: { median: number | null; suppressed: boolean };
      verified: { share: number | null };
    };
    expect(stats.n).toBeGreaterThanOrEqual(10);
    expect(stats.suppressed).toBe(false);
    expect(stats.salaryIncreasePct.suppressed).toBe(false);
    expect(stats.salaryIncreasePct.median).toBeGreaterThan(0);
    expect(stats.monthsToOutcome.suppressed).toBe(false);
    expect(stats.verified.share).toBeGreaterThan(0);
  });

  it("issues real Open Badges 3.0 credentials with its own did:key, kept in the data folder, and trusts that issuer", async () => {
    const key = JSON.parse(readFileSync(join(dir, "demo-issuer-key.json"), "utf8")) as { seed: string };
    expect(Buffer.from(key.seed, "base64url")).toHaveLength(32);
    expect(statSync(join(dir, "demo-issuer-key.json")).mode & 0o777).toBe(0o600);
    const [workspace] = await rows("select settings from workspaces where id = ?");
    const [trusted] = (JSON.parse(String(workspace?.settings)) as { credentialIssuers: { id: string; name: string }[] })
      .credentialIssuers;
    expect(trusted?.id).toMatch(/^did:key:z6Mk/);
    const verified = await rows(
      "select id, verification from stories where workspace_id = ? and status = 'approved' and verification_level = 'credential_verified'",
    );
    for (const story of verified) {
      const receipt = JSON.parse(String(story.verification)) as {
        issuer: { id: string; name: string; label: string };
        checks: { check: string; result: string; detail: string }[];
      };
      expect(receipt.issuer).toEqual({ id: trusted?.id, name: "Skillbridge Academy", label: trusted?.name });
      expect(receipt.checks.find((check) => check.check === "proof")).toMatchObject({
        result: "pass",
        detail: expect.stringContaining("eddsa-rdfc-2022 proof verified"),
      });
      // The public receipt, from a plain link without a key, carries the "Add to LinkedIn" link.
      const response = await t.call("GET", `/v1/stories/${story.id}/receipt`);
      expect(response.status).toBe(200);
      const linkedIn = new URL(String(((await response.json()) as { addToLinkedIn: string }).addToLinkedIn));
      expect(linkedIn.searchParams.get("organizationName")).toBe("Skillbridge Academy");
      expect(linkedIn.searchParams.get("certId")).toMatch(/^urn:uuid:/);
    }
    // A later start keeps the key: the issuer the workspace trusts stays the one that signs.
    await seed();
    expect(JSON.parse(readFileSync(join(dir, "demo-issuer-key.json"), "utf8"))).toEqual(key);
  });

  it("has a hosted advocate page at /p/skillbridge, themed with the academy's name", async () => {
    const page = await t.call("GET", `/p/${demoSlug}`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain("<h1>Skillbridge Academy: your referrals</h1>");
    expect(text).toContain('name="email"');
  });

  it("adds nothing on a later start", async () => {
    const tables = ["learners", "referral_codes", "clicks", "share_events", "conversions", "rewards", "stories"];
    const before = await Promise.all(
      tables.map((table) => count(`select count(*) as n from ${table} where workspace_id = ?`)),
    );
    t.clock.advance(86_400_000);
    const again = await seed();
    expect(again.id).toBe(keys.id);
    const after = await Promise.all(
      tables.map((table) => count(`select count(*) as n from ${table} where workspace_id = ?`)),
    );
    expect(after).toEqual(before);
    expect(await count("select count(*) as n from workspaces where id != ?")).toBe(0);
  });

  it("tells the same story on every fresh database", async () => {
    const other = await freshDatabase();
    const otherDir = mkdtempSync(join(tmpdir(), "chorus-demo-data-"));
    try {
      const otherKeys = await ensureDemoWorkspace(other.db, {
        origin,
        keysFile: join(otherDir, "demo-keys.json"),
        now: new Date("2026-11-01T10:00:00Z"),
        secret: testConfig.secret,
      });
      const shape = async (client: typeof t.client, workspaceId: string) =>
        (
          await client.execute({
            sql: "select type, status, count(*) as n, sum(amount) as amount from conversions where workspace_id = ? group by 1, 2 order by 1, 2",
            args: [workspaceId],
          })
        ).rows.map((row) => ({ ...row }));
      expect(await shape(other.client, otherKeys.id)).toEqual(await shape(t.client, keys.id));
    } finally {
      other.cleanup();
      rmSync(otherDir, { recursive: true, force: true });
    }
    // Seeds a second six-week history: seconds of work, more on a busy machine.
  }, 30_000);
});
