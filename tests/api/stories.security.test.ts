/** Hostile input against the JSON-LD, the rate limiter and the credential fetcher. */
import { describe, expect, it } from "vitest";
import { guardedFetch, isPrivateHost } from "../../server/services/credentials/fetch.ts";
import type { publicStory } from "../../server/services/stories.ts";
import { jsonForScript } from "../../widgets/lib/json-script.ts";
import { storiesJsonLd, storiesJsonLdScript } from "../../widgets/lib/story-json-ld.ts";
import { workspaceFactory } from "../support/factories.ts";
import { storyBody, storyClient } from "../support/stories.ts";
import { createTestApp } from "../support/test-app.ts";
import { eachTestWorkspace, type WorkspaceTest } from "../support/workspace-app.ts";

const hostile = `</script><script>alert(1)</script><!-- \u2028\u2029 & "quotes" \\ </SCRIPT >`;

describe("jsonForScript", () => {
  it("leaves no way to close or confuse a script element, and parses back to the same value", () => {
    const value = { text: hostile, nested: [hostile], n: 1 };
    const out = jsonForScript(value);
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(out.toLowerCase()).not.toContain("</script");
    expect(out).toContain("\\u003c/script\\u003e");
    expect(out).toContain("\\u2028");
    expect(JSON.parse(out)).toEqual(value);
  });

  it("has no imports, so it adds nothing else to the story wall", async () => {
    const { readFileSync } = await import("node:fs");
    const source = readFileSync(new URL("../../widgets/lib/json-script.ts", import.meta.url), "utf8");
    expect(source).not.toMatch(/^\s*import\s/m);
  });
});

describe("storiesJsonLd", () => {
  const story = { name: null, headline: hostile, body: hostile, rating: 4, approvedAt: "2026-11-02T09:00:00.000Z" };

  it("reviews the Course, never the provider's organisation, and hides names without consent", () => {
    const ld = storiesJsonLd({ name: "Data Analytics", url: "https://academy.example/da" }, [
      story,
      { ...story, name: "Priya" },
    ]);
    expect(ld["@type"]).toBe("Course");
    expect(JSON.stringify(ld)).not.toContain("Organization");
    const reviews = ld.review as unknown as {
      "@type": string;
      author: { name: string };
      reviewRating: { ratingValue: number };
      datePublished: string;
    }[];
    expect(reviews.map((r) => r["@type"])).toEqual(["Review", "Review"]);
    expect(reviews.map((r) => r.author.name)).toEqual(["A learner", "Priya"]);
    // Ratings run from 1 to 5, schema.org's default range, so the markup need not say so.
    expect(reviews[0]).toMatchObject({
      reviewRating: { "@type": "Rating", ratingValue: 4 },
      datePublished: "2026-11-02",
    });
  });

  it("rates the Course over all its approved stories when the API gives a rating, and not otherwise", () => {
    const rated = storiesJsonLd({ name: "Data Analytics" }, [story], { count: 12, average: 4.3 });
    expect(rated.aggregateRating).toEqual({
      "@type": "AggregateRating",
      ratingValue: 4.3,
      ratingCount: 12,
    });
    expect(storiesJsonLd({ name: "Data Analytics" }, [story], null)).not.toHaveProperty("aggregateRating");
  });

  it("escapes story text in the script form", () => {
    const script = storiesJsonLdScript({ name: "Course </script>" }, [story]);
    expect(script).not.toMatch(/[<>]/);
    expect((JSON.parse(script) as { review: { reviewBody: string }[] }).review[0]?.reviewBody).toBe(hostile);
  });
});

describe("stories in JSON-LD through the API", () => {
  let { t, ws } = {} as WorkspaceTest;
  eachTestWorkspace((test) => {
    ({ t, ws } = test);
  });

  it("builds markup from the public list only: consents applied, withdrawn stories gone", async () => {
    const api = storyClient(t, ws);
    const shown = await api.approved(storyBody({ body: hostile, consent: { publish: true, name: false } }));
    const gone = await api.approved(storyBody({ name: "Withdrawn Person" }));
    await api.remove(gone.id, { "Chorus-Edit-Token": gone.editToken });
    const page = (await (await api.list()).json()) as { items: ReturnType<typeof publicStory>[] };
    expect(page.items.map((s) => s.id)).toEqual([shown.id]);
    const script = storiesJsonLdScript({ name: "Data Analytics" }, page.items);
    expect(script).not.toContain("Priya");
    expect(script).not.toContain("Withdrawn Person");
    expect(script).not.toMatch(/[<>]/);
  });

  it("gives a course's rating over all its approved stories from the minimum sample up, on a course's first page only", async () => {
    const api = storyClient(t, ws);
    const admin = { Authorization: `Bearer ${ws.secretKey}` };
    expect((await t.call("PATCH", "/v1/admin/program", { body: { minSampleSize: 3 }, headers: admin })).status).toBe(
      200,
    );
    const rating = async (query: string) =>
      ((await (await api.list(query)).json()) as { rating: { count: number; average: number } | null }).rating;
    const story = (rating: number, outcome = "new_job") =>
      storyBody({ rating, photoUrl: null, outcome: { type: outcome, salaryIncreasePct: null, monthsToOutcome: 4 } });
    await api.approved(story(5));
    await api.approved(story(4, "promotion"));
    // Two stories: below the minimum of three, no rating at all (a mean of two says little).
    expect(await rating("?course=data-analytics")).toBeNull();
    await api.approved(story(4));
    // Pending and other courses' stories do not count: (5 + 4 + 4) / 3 = 4.33…, to one decimal 4.3.
    await api.post(story(1));
    await api.approved({ ...story(1), course: "ux-design" });
    expect(await rating("?course=data-analytics")).toEqual({ count: 3, average: 4.3 });
    // Every page of one story, rated over all three, not over the one on screen.
    expect(await rating("?course=data-analytics&limit=1")).toEqual({ count: 3, average: 4.3 });
    // Not for a filtered subset, a later page, or no course.
    expect(await rating("?course=data-analytics&outcome=new_job")).toBeNull();
    expect(await rating("?course=data-analytics&verified=true")).toBeNull();
    expect(await rating("")).toBeNull();
    const first = (await (await api.list("?course=data-analytics&limit=1")).json()) as { nextCursor: string };
    expect(await rating(`?course=data-analytics&limit=1&cursor=${encodeURIComponent(first.nextCursor)}`)).toBeNull();
  });
});

describe("the credential fetcher", () => {
  it("knows private and loopback hosts", () => {
    for (const host of [
      "localhost",
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "[::1]",
      "::ffff:127.0.0.1",
      "0.0.0.0",
      "fd00::1",
      "metadata.internal",
      // Issue 15: trailing dots, and IPv6 ranges the literal checks missed.
      "localhost.",
      "metadata.google.internal.",
      "[64:ff9b::a9fe:a9fe]",
      "[2002:a9fe:a9fe::1]",
      "[fec0::1]",
      "[fe9f::1]",
      "2001:db8::1",
    ]) {
      expect(isPrivateHost(host), host).toBe(true);
    }
    for (const host of ["badges.example", "8.8.8.8", "172.32.0.1", "2606:4700::1111"])
      expect(isPrivateHost(host), host).toBe(false);
  });

  it("refuses plain http and private hosts before any request", async () => {
    await expect(guardedFetch("http://badges.example/x")).rejects.toThrow(/https/);
    await expect(guardedFetch("https://127.0.0.1/x")).rejects.toThrow(/public host/);
    await expect(guardedFetch("https://169.254.169.254/latest/meta-data")).rejects.toThrow(/public host/);
  });

  it("is the default: a story's credential URL cannot reach the server's own network", async () => {
    const t = await createTestApp();
    try {
      const api = storyClient(t, await workspaceFactory(t.db));
      const response = await api.post(storyBody({ credential: { url: "https://127.0.0.1:8787/v1/admin/program" } }));
      const story = (await response.json()) as {
        verificationLevel: string;
        verification: { checks: { check: string; detail: string }[] };
      };
      expect(story.verificationLevel).toBe("self_reported");
      expect(story.verification.checks[0]).toMatchObject({
        check: "retrieve",
        detail: expect.stringContaining("not a public host"),
      });
    } finally {
      t.cleanup();
    }
  });
});
