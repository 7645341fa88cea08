/**
 * referralUrl caches the target with `via` set and appends the click id: it must give exactly
 * what setting both on a parsed URL gives, for targets with their own query, encoded characters,
 * an old `via` or `chorus_cid`, or a fragment.
 */
import { describe, expect, it } from "vitest";
import { newClickId } from "../../server/lib/ids.ts";
import { referralUrl } from "../../server/services/links.ts";

function expected(target: string, code: string, clickId: string | null): string {
  const url = new URL(target);
  url.searchParams.set("via", code);
  if (clickId) url.searchParams.set("chorus_cid", clickId);
  return url.toString();
}

const targets = [
  "https://academy.example",
  "https://academy.example/course",
  "https://academy.example/course?utm_source=chorus&x=a+b%20c",
  "https://academy.example/kurs/ünïcode?q=naïve&empty=&flag",
  "https://academy.example/course?via=old&chorus_cid=clk_old",
  "https://academy.example/course?chorus_cid=clk_old",
  "https://academy.example/course?via=old#section-2",
  "https://academy.example/course#top",
  "https://academy.example:8443/c?a=1&a=2",
];

describe("referralUrl", () => {
  it("equals setting via and chorus_cid on the parsed target, twice in a row (cached)", () => {
    for (const target of targets)
      for (const clickId of [newClickId(Date.UTC(2026, 10, 28)), "clk_0000000000000001", null, "clk odd/ü"])
        for (let round = 0; round < 2; round++)
          expect(referralUrl(target, "priya-7", clickId)).toBe(expected(target, "priya-7", clickId));
  });
});
