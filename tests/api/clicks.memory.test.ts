/**
 * The redirect's memory of recent clicks (ClickRecorder): bounded, and still exact once it forgets.
 * A repeat visit within the hour must get its first click id back whether the click is still
 * remembered or only in the database.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createClickWriter } from "../../server/services/click-writer.ts";
import { type ClickInput, ClickRecorder } from "../../server/services/clicks.ts";
import { type ResolvedCode, resolveCode } from "../../server/services/codes.ts";
import { workspaceFactory } from "../support/factories.ts";
import { countClicks, learnerCode } from "../support/referrals.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let code: ResolvedCode;
beforeEach(async () => {
  t = await createTestApp();
  const ws = await workspaceFactory(t.db);
  code = (await resolveCode(t, { code: await learnerCode(t, ws) })) as ResolvedCode;
});
afterEach(() => t.cleanup());

const visit = (ip: string, at: Date): ClickInput => ({
  channel: "whatsapp",
  storyId: null,
  visitor: { ip, userAgent: "Mozilla/5.0 Chrome/131.0", country: null },
  visitorId: null,
  source: "redirect",
  now: at,
});

describe("the redirect's memory of recent clicks", () => {
  it("forgets whole generations when full and still deduplicates from the database", async () => {
    const writer = createClickWriter({ db: t.db });
    // Room for 4: two generations of 2. The process is the only writer, as on Node.
    const recorder = new ClickRecorder(t.db, writer, "s".repeat(32), { exclusive: true, maxRecent: 4 });
    const start = t.clock.now();
    const first: string[] = [];
    for (let i = 0; i < 10; i++) {
      const at = new Date(start.getTime() + i * 1000);
      const { clickId, created } = await recorder.record({ code, ...visit(`203.0.113.${i}`, at) });
      expect(created).toBe(true);
      first.push(clickId);
    }
    // Every visitor again within the hour, the early ones long forgotten by memory.
    const later = new Date(start.getTime() + 30 * 60 * 1000);
    for (let i = 0; i < 10; i++) {
      const again = await recorder.record({ code, ...visit(`203.0.113.${i}`, later) });
      expect(again, `visitor ${i}`).toEqual({ clickId: first[i], created: false });
    }
    // After the hour, a visit is a new click again.
    const nextHour = new Date(start.getTime() + 61 * 60 * 1000 + 10_000);
    expect((await recorder.record({ code, ...visit("203.0.113.0", nextHour) })).created).toBe(true);
    await writer.flush();
    expect(await countClicks(t)).toBe(11);
  });
});
