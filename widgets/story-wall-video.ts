/**
 * The video of a video story on `<chorus-story-wall>`: its poster with a play button, and its
 * transcript under a disclosure. The native `<video>` (no player library) is created only when the
 * visitor presses play: nothing plays by itself and nothing of the video is downloaded before
 * (`preload="none"`). Captions come from the transcript (`<track kind="captions">`, WebVTT from
 * Chorus; `crossorigin` so the page may read them). An on-demand chunk: a wall without video
 * stories never loads it.
 */
import { css, html, nothing, render } from "lit";
import type { PublicStory } from "./lib/api-types.ts";
import { catalog, type Locale } from "./lib/i18n.ts";

const videoText = catalog(
  {
    play: "Play the video: {headline}",
    transcript: "Transcript",
    captions: "Captions",
  },
  () => import("./story-wall-video.hi.ts"),
);

/** What this code needs of the wall, by shape (importing the wall's module would be a cycle). */
type Wall = { readonly locale: Locale; readonly renderRoot: HTMLElement | DocumentFragment };

/** Stories whose video a visitor started on this page: their `<video>` stays through re-renders. */
const started = new Set<string>();

/**
 * A constructed stylesheet adopted by the wall's shadow root: unlike a `<style>` element it is not
 * an inline style a provider's strict Content-Security-Policy would block.
 */
const sheet = css`
  .play { position: relative; display: block; width: 100%; aspect-ratio: 16 / 9; padding: 0; border: 0;
    border-radius: 8px; background: #1f2937; cursor: pointer; overflow: hidden; }
  .play img, video { display: block; width: 100%; aspect-ratio: 16 / 9; object-fit: cover; border-radius: 8px;
    background: #1f2937; }
  .play span { position: absolute; inset: 50% auto auto 50%; translate: -50% -50%; width: 3.5rem; height: 3.5rem;
    border-radius: 50%; background: rgb(0 0 0 / 0.65); color: #fff; font-size: 1.5rem; line-height: 3.5rem; }
  .play:focus-visible { outline: 3px solid var(--chorus-accent, #4f46e5); outline-offset: 2px; }
  details { margin-block: 0.5rem; }
`.styleSheet;

function adoptStyles(root: HTMLElement | DocumentFragment) {
  if (sheet && root instanceof ShadowRoot && !root.adoptedStyleSheets.includes(sheet))
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}

function videoTemplate(wall: Wall, story: PublicStory, slot: HTMLElement) {
  const video = story.video;
  if (!video) return nothing;
  const t = (key: Parameters<typeof videoText>[1]) => videoText(wall.locale, key, { headline: story.headline });
  const player = started.has(story.id)
    ? html`<video controls preload="none" playsinline crossorigin="anonymous" poster=${video.posterUrl ?? nothing}>
        <source src=${video.url} type=${video.type} />
        <track kind="captions" src=${video.captionsUrl} srclang=${wall.locale} label=${t("captions")} default />
      </video>`
    : html`<button type="button" class="play" aria-label=${t("play")} @click=${() => start(wall, story, slot)}>
        ${video.posterUrl ? html`<img src=${video.posterUrl} alt="" loading="lazy" />` : nothing}<span aria-hidden="true">▶</span>
      </button>`;
  return html`${player}
    <details><summary>${t("transcript")}</summary><p class="transcript">${video.transcript}</p></details>`;
}

/** The visitor pressed play: the `<video>` replaces the poster and plays (the press allows it), focused for its controls. */
function start(wall: Wall, story: PublicStory, slot: HTMLElement) {
  started.add(story.id);
  render(videoTemplate(wall, story, slot), slot);
  const video = slot.querySelector("video");
  video?.focus();
  // A browser that refuses to play still shows the controls: the visitor can press play there.
  void video?.play().catch(() => {});
}

/** Fills each video story's slot (`.video[data-story]`) on the wall with its poster or player and transcript. */
export async function showVideos(wall: Wall, stories: readonly PublicStory[]): Promise<void> {
  await videoText.load(wall.locale);
  adoptStyles(wall.renderRoot);
  const byId = new Map(stories.map((story) => [story.id, story]));
  for (const slot of wall.renderRoot.querySelectorAll<HTMLElement>(".video[data-story]")) {
    const story = byId.get(slot.dataset.story ?? "");
    if (story) render(videoTemplate(wall, story, slot), slot);
  }
}
