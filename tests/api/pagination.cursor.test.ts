/**
 * One pagination for every list: `paginate` over `limit + 1` rows and one opaque, URL-safe cursor
 * that each list decodes against its own key. The lists' own paging is covered by their tests
 * (stories.moderation, rewards.rules, analytics.conversion-search, tenants.isolation).
 */
import { describe, expect, it } from "vitest";
import { apiErrorOf } from "../../server/errors.ts";
import { decodeCursor, encodeCursor } from "../../server/lib/cursor.ts";
import { paginate } from "../../server/lib/paginate.ts";

const refused = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    const apiError = apiErrorOf(error);
    return apiError?.code === "invalid_request" && apiError.status === 400;
  }
  return false;
};

describe("the cursor", () => {
  it("round-trips a key of any length, URL-safe", () => {
    const key = [1, 1_790_000_000_000, "sty_AbC-123_xyz"] as const;
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, ["number", "number", "string"])).toEqual([...key]);
    expect(decodeCursor(undefined, ["number", "string"])).toBeNull();
  });

  it("keeps the (createdAt, id) cursors handed out before", () => {
    const before = btoa("1790000000000:rwd_0123456789abcdef").replace(/=+$/, "");
    expect(encodeCursor([1_790_000_000_000, "rwd_0123456789abcdef"])).toBe(before);
    expect(decodeCursor(before, ["number", "string"])).toEqual([1_790_000_000_000, "rwd_0123456789abcdef"]);
  });

  it("refuses with 400 invalid_request a cursor of another shape, a forged one and one that is not base64", () => {
    const story = encodeCursor([1, 1_790_000_000_000, "sty_x"]);
    expect(refused(() => decodeCursor(story, ["number", "string"]))).toBe(true);
    expect(refused(() => decodeCursor(btoa("1' OR 1=1:x"), ["number", "string"]))).toBe(true);
    expect(refused(() => decodeCursor(btoa('["1",2]'), ["number", "string"]))).toBe(true);
    expect(refused(() => decodeCursor("%%%", ["number", "string"]))).toBe(true);
    expect(refused(() => decodeCursor(btoa("x:rwd_1"), ["number", "string"]))).toBe(true);
  });

  it("never encodes a key it could not decode", () => {
    expect(() => encodeCursor([-1, "a"])).toThrow();
    expect(() => encodeCursor([1, "a:b"])).toThrow();
    expect(() => encodeCursor([1.5, "a"])).toThrow();
  });
});

describe("paginate", () => {
  const rows = [5, 4, 3].map((n) => ({ at: n, id: `row_${n}` }));
  const key = (row: { at: number; id: string }) => [row.at, row.id];

  it("answers `limit` items and the last one's key when the query found one row more", () => {
    const page = paginate(rows, 2, key);
    expect(page.items).toEqual(rows.slice(0, 2));
    expect(page.nextCursor && decodeCursor(page.nextCursor, ["number", "string"])).toEqual([4, "row_4"]);
  });

  it("answers nextCursor null on the last page, also when it is exactly full", () => {
    expect(paginate(rows, 3, key)).toEqual({ items: rows, nextCursor: null });
    expect(paginate(rows, 5, key)).toEqual({ items: rows, nextCursor: null });
    expect(paginate([], 5, key)).toEqual({ items: [], nextCursor: null });
  });
});
