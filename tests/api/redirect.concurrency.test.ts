import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { groupCommit } from "../../server/lib/group-commit.ts";
import { type ClickRow, insertClicks } from "../../server/services/click-writer.ts";
import { learnerToken, testOrigin, workspaceFactory } from "../support/factories.ts";
import { type LiveServer, startLiveServer } from "../support/http-server.ts";
import { chromeUserAgent } from "../support/referrals.ts";

let live: LiveServer | undefined;
afterEach(async () => {
  await live?.close();
  live = undefined;
});

const execFileAsync = promisify(execFile);

/** Fires every redirect at once and prints, per request, the visitor, status and click id. */
const loadScript = `
const [url, visitors, repeats] = process.argv.slice(1);
const ids = [...Array(Number(visitors)).keys(), ...Array(Number(repeats)).keys()];
const answers = await Promise.all(ids.map(async (i) => {
  const response = await fetch(url, { redirect: "manual", headers: { "User-Agent": process.env.USER_AGENT, "X-Forwarded-For": "10.1." + (i >> 8) + "." + (i & 255) } });
  return { visitor: i, status: response.status, cid: new URL(response.headers.get("Location")).searchParams.get("chorus_cid") };
}));
console.log(JSON.stringify(answers));
`;

describe("concurrent redirects", () => {
  it("store exactly one click per answered non-duplicate redirect, written in groups", async () => {
    let batches = 0;
    const holder: { db?: LiveServer["db"] } = {};
    // The real group committer, counting its batches: many clicks must share a transaction.
    const clickWriter = groupCommit<ClickRow>(async (rows) => {
      batches++;
      if (holder.db) await insertClicks({ db: holder.db }, { rows: rows });
    });
    live = await startLiveServer({ config: { trustProxy: true }, deps: { clickWriter } });
    holder.db = live.db;
    const ws = await workspaceFactory(live.db, { settings: { defaultTargetUrl: "https://academy.example/" } });
    const me = await fetch(`${live.baseUrl}/v1/referrals/me`, {
      method: "POST",
      headers: {
        "Chorus-Key": ws.publishableKey,
        Origin: testOrigin,
        Authorization: `Bearer ${await learnerToken(ws)}`,
      },
    });
    const { code } = (await me.json()) as { code: string };

    const visitors = 300;
    const repeats = 100; // the first 100 visitors click twice, at the same moment
    // The clicks come from another process, as from the network: a client in this process would
    // stall whenever the server's synchronous commit holds the event loop, hiding any grouping.
    const args = [
      "--input-type=module",
      "-e",
      loadScript,
      `${live.baseUrl}/r/${code}?ch=whatsapp`,
      String(visitors),
      String(repeats),
    ];
    const { stdout } = await execFileAsync(process.execPath, args, {
      env: { ...process.env, USER_AGENT: chromeUserAgent },
    });
    const answers = JSON.parse(stdout) as { visitor: number; status: number; cid: string | null }[];
    expect(answers.every((answer) => answer.status === 302 && answer.cid)).toBe(true);
    const byVisitor = new Map<number, Set<string>>();
    for (const answer of answers)
      byVisitor.set(answer.visitor, (byVisitor.get(answer.visitor) ?? new Set()).add(answer.cid as string));
    // Each visitor got one click id, however many times they clicked.
    expect([...byVisitor.values()].every((ids) => ids.size === 1)).toBe(true);

    const stored = (await live.client.execute("select id from clicks")).rows.map((row) => String(row.id));
    const answered = new Set(answers.map((answer) => answer.cid));
    expect(stored.length).toBe(visitors);
    expect(new Set(stored)).toEqual(answered);
    expect(batches).toBeLessThan(visitors);
  });
});
