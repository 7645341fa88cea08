/**
 * A video story in real Chromium, end to end (issue 20): a learner records a short video with
 * Chromium's fake camera and microphone, types its transcript and sends the story; the video and
 * its poster frame are uploaded after it; the moderator approves over the API; on the provider's
 * page the wall shows the poster with a play button, creates the native `<video>` only on the
 * click, and its captions track carries the transcript as cues (WebVTT from Chorus, cross-origin).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreatedWorkspace } from "../../server/services/workspaces.ts";
import { browserUserAgent, distAssets, type HostSite, launchBrowser, startHostSite } from "../support/browser.ts";
import { learnerToken, workspaceFactory } from "../support/factories.ts";
import { type LiveServer, startLiveServer } from "../support/http-server.ts";
import { liveStories } from "../support/story-browser.ts";

let browser: Browser;
let host: HostSite;
let live: LiveServer;
let ws: CreatedWorkspace;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  // The fake camera draws a moving test pattern and the fake microphone beeps; no permission prompt.
  browser = await launchBrowser(["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]);
  host = await startHostSite();
  live = await startLiveServer({ deps: { assets: distAssets } });
  // One approved story is the sample: the wall's JSON-LD waits for the minimum sample.
  ws = await workspaceFactory(live.db, { origins: [host.origin], settings: { minSampleSize: 1 } });
  const context = await browser.newContext({ userAgent: browserUserAgent });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(error.message));
});
afterAll(async () => {
  await browser?.close();
  await host?.close();
  await live?.close();
});

const hostPage = (
  body: string,
) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Data Analytics course</title>
<script type="module" src="${live.baseUrl}/embed.js" data-key="${ws.publishableKey}"></script></head>
<body><main><h1>Data Analytics</h1>${body}</main></body></html>`;

async function open(path: string, body: string) {
  host.pages.set(path, hostPage(body));
  await page.goto(`${host.origin}${path}`);
}

describe("a video story from the camera to the wall", () => {
  const headline = "My first dashboard, on camera";
  const transcript = "Hello, I am Kavya. The course taught me SQL and I now build dashboards at work.";
  let storyId = "";

  it("records with the camera, previews, and sends the video, its poster and transcript with the story", async () => {
    const token = await learnerToken(ws, { sub: "kavya", name: "Kavya Iyer" });
    await open("/tell", `<chorus-story-form course="video-course" learner-token="${token}"></chorus-story-form>`);
    const form = page.locator("chorus-story-form");
    await form.getByLabel(/^Your name/).fill("Kavya Iyer");
    await form.getByLabel(/^Headline/).fill(headline);
    await form.getByLabel(/^Your story/).fill("I recorded a short video about what changed.");
    await form.getByRole("radio", { name: "5 out of 5" }).check();
    await form.getByLabel(/^What changed/).selectOption("new_job");
    await form.getByRole("checkbox", { name: /^Publish my story/ }).check();

    await form.getByRole("button", { name: "Add a video (optional)" }).click();
    await form.getByRole("button", { name: "Record with my camera" }).click();
    await form.getByRole("status").filter({ hasText: "Recording. You have up to 90 seconds." }).waitFor();
    // The visible countdown moves once a second: at "1:28 left" two seconds are recorded.
    await form.getByText("1:28 left").waitFor();
    await form.getByRole("button", { name: "Stop recording" }).click();
    await form
      .getByRole("status")
      .filter({ hasText: /Your video is ready \(\d s\)/ })
      .waitFor();
    expect(
      await form.getByLabel("Your video", { exact: true }).evaluate((video) => (video as HTMLVideoElement).src),
    ).toMatch(/^blob:/);
    await form.getByRole("button", { name: "Record again" }).waitFor();

    // A video without its transcript is not sent.
    await form.getByRole("button", { name: "Send my story" }).click();
    await form.getByRole("alert").getByText("Type what you say in your video.").waitFor();
    await form.getByLabel("Transcript of your video").fill(transcript);
    // Leaving the field clears the error summary above (the button moves up): then the button is pressed.
    await form.getByLabel("Transcript of your video").press("Tab");
    await form.getByRole("button", { name: "Send my story" }).click();
    await form.getByRole("heading", { name: "Thank you! We received your story." }).waitFor();

    const row = (
      await live.client.execute({
        sql: "select id, transcript, video_type, video_bytes, video_duration_ms, poster_type from stories where headline = ?",
        args: [headline],
      })
    ).rows[0];
    expect(row).toMatchObject({ transcript, video_type: "video/webm", poster_type: "image/jpeg" });
    expect(Number(row?.video_bytes)).toBeGreaterThan(1000);
    expect(Number(row?.video_duration_ms)).toBeGreaterThanOrEqual(2000);
    storyId = String(row?.id);
  });

  it("plays on the wall only on a click, with captions whose cues carry the transcript", async () => {
    await liveStories(live, ws, host.origin).approve(storyId);
    await open("/wall", `<chorus-story-wall course="video-course"></chorus-story-wall>`);
    const wall = page.locator("chorus-story-wall");
    const story = wall.locator("article", { hasText: headline });
    const play = story.getByRole("button", { name: `Play the video: ${headline}` });
    await play.waitFor();
    expect(await story.locator("video").count()).toBe(0);
    expect(await play.locator("img").getAttribute("src")).toMatch(/\/v1\/story-posters\//);
    await story.getByText("Transcript", { exact: true }).click();
    await story.getByText(transcript).waitFor();

    await play.click();
    const video = story.locator("video");
    expect(await video.getAttribute("preload")).toBe("none");
    expect(await video.getAttribute("autoplay")).toBeNull();
    expect(await video.locator("track").getAttribute("kind")).toBe("captions");
    const cues = await video.evaluate(
      (element) =>
        new Promise<string[]>((resolve, reject) => {
          const track = (element as HTMLVideoElement).textTracks[0];
          const trackElement = element.querySelector("track");
          const read = () => resolve(Array.from(track?.cues ?? [], (cue) => (cue as VTTCue).text));
          if (track?.cues?.length) return read();
          trackElement?.addEventListener("load", read);
          trackElement?.addEventListener("error", () => reject(new Error("the captions did not load")));
        }),
    );
    expect(cues.join(" ")).toBe(transcript);

    // Search engines read the same transcript in the wall's JSON-LD.
    const jsonLd = JSON.parse((await wall.locator("script[type='application/ld+json']").textContent()) ?? "{}");
    expect(jsonLd.review[0].video).toMatchObject({ "@type": "VideoObject", transcript, name: headline });
    expect(pageErrors).toEqual([]);
  });
});
