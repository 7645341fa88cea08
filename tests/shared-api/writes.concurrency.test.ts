/**
 * Clicks, conversions and settings changes arriving together, round after round: every request
 * answers and every write lands. On workerd, writes waiting on the database's lock once held the
 * connections the lock holder needed to commit, and the target stalled for more than 30 s. That
 * stall showed in longer stress runs of this mix (with the CLI writing too), roughly once in ten
 * to forty rounds; three rounds here guard the mix on every run, not that rare timing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, apiJson, referringWorkspace, secret, settling, type Workspace } from "./client.ts";

let ws: Workspace;
let code: string;
beforeAll(async () => {
  ({ ws, code } = await referringWorkspace("Busy Academy", "https://academy.example/course", {
    sub: "busy-advocate",
    name: "Anil Rao",
  }));
});

const funnel = () =>
  apiJson<{ clicks: number; enrollments: number }>("GET", "/v1/analytics/funnel", 200, {
    headers: secret(ws.secretKey),
  });

describe("writes arriving together", () => {
  it("answers every click, conversion and settings change, and stores each write", async () => {
    const rounds = 3;
    for (let round = 0; round < rounds; round++) {
      const redirects = Array.from({ length: 40 }, (_, n) =>
        api("GET", `/r/${code}?ch=email`, {
          headers: {
            "User-Agent": `Mozilla/5.0 (Linux; Android 14; Pixel ${round}-${n}) Chrome/131.0 Mobile Safari/537.36`,
          },
        }),
      );
      const conversions = Array.from({ length: 20 }, (_, n) =>
        api("POST", "/v1/conversions", {
          headers: secret(ws.secretKey),
          body: {
            id: `busy-${round}-${n}`,
            type: "enrollment",
            customer: { id: `busy-friend-${round}-${n}` },
            amount: 1_000,
            currency: "INR",
            code,
          },
        }),
      );
      const settings = Array.from({ length: 8 }, (_, n) =>
        api("PATCH", "/v1/admin/program", { headers: secret(ws.secretKey), body: { holdDays: (round + n) % 30 } }),
      );
      const answers = await Promise.all([...redirects, ...conversions, ...settings]);
      expect(answers.map((answer) => answer.status)).toEqual([
        ...redirects.map(() => 302),
        ...conversions.map(() => 201),
        ...settings.map(() => 200),
      ]);
    }
    await expect.poll(async () => (await funnel()).clicks, settling).toBe(rounds * 40);
    expect((await funnel()).enrollments).toBe(rounds * 20);
  }, 60_000);
});
