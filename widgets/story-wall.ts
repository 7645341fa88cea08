import { html, nothing } from "lit";
import { api } from "./lib/api.ts";
import type { PublicStory, StoryPage, StoryVerification } from "./lib/api-types.ts";
import { ChorusElement, define } from "./lib/element.ts";
import { catalog, formatDate, formatNumber } from "./lib/i18n.ts";
import { outcomeTypes, storyText } from "./lib/stories.ts";
import { baseStyles } from "./lib/styles.ts";
import { COMPLETE, ERROR, initialState, PENDING, Task, type TaskStatus } from "./lib/task.ts";
import { storyWallStyles } from "./story-wall.styles.ts";

const wallText = catalog(
  {
    stories: "Success stories",
    outcome: "Outcome",
    allOutcomes: "All outcomes",
    verifiedOnly: "Verified stories only",
    loading: "Loading stories…",
    empty: "No stories to show yet.",
    loadMore: "Load more stories",
    loadMoreFailed: "We couldn't load more stories.",
    rated: "Rated {rating} out of 5",
    salary: "{pct}% higher salary",
    months: "after {months} months",
    month: "after 1 month",
    viewReceipt: "how this was checked",
    previous: "Previous story",
    next: "Next story",
    pause: "Pause",
    play: "Play",
    slide: "{n} of {total}",
    receipt: "Verification receipt",
    close: "Close",
    checkedOn: "Checked on {date}",
    pass: "Passed",
    fail: "Failed",
    skip: "Not checked",
    issuer: "Issuer",
    credential: "Credential",
    issued: "Issued {date}",
    expires: "valid until {date}",
    fingerprint: "SHA-256",
    self_reported: "The learner told this story; it could not be checked.",
    provider_attested: "The provider confirmed that this learner completed the course.",
    credential_genuine: "A trusted issuer's genuine credential, not shown to be this learner's.",
    credential_verified:
      "A credential from an issuer the provider trusts was checked: signature, dates, revocation, recipient.",
  },
  () => import("./story-wall.hi.ts"),
);

type WallKey = Parameters<typeof wallText>[1];

const reducedMotion = matchMedia("(prefers-reduced-motion: reduce)");

/**
 * `<chorus-story-wall>`: approved success stories as a masonry wall, a carousel or a list, with
 * filters, "load more", each story's verification level with its receipt one click away, and
 * schema.org `Review`s of the course placed in the page's light DOM for search engines.
 *
 * @tagname chorus-story-wall
 * @attr course - a course slug; without it, every course (and no JSON-LD)
 * @attr layout - `wall` (masonry columns, default), `carousel` (one story at a time) or `list`
 * @attr limit - stories per page, 1–50 (default 12)
 * @attr outcome - initial outcome filter (`new_job`, `promotion`, …); visitors can change it
 * @attr verified - initial filter: only provider-attested and credential-verified stories (a genuine credential
 *   not shown to be the author's does not count)
 * @attr course-name - the course's title in the JSON-LD (default: the page's `<title>`)
 * @attr no-json-ld - leaves the JSON-LD markup out
 * @attr interval - seconds between carousel slides (default 7)
 * @csspart filters - the filter bar (hide it with `::part(filters) { display: none }`)
 * @csspart stories - the container of the story cards
 * @csspart story - one story card
 * @csspart badge - the verification level button that opens the receipt
 * @csspart receipt - the receipt dialog
 * @csspart controls - the carousel's buttons
 * @csspart load-more - the "load more" button
 * @cssprop --chorus-accent - buttons, badges and focus ring
 * @cssprop --chorus-wall-min-height - the space the wall reserves while loading
 * @cssprop --chorus-wall-column-width - the narrowest masonry column (default 18rem)
 * @fires chorus-stories-loaded - `{ count, hasMore }`, after each page of stories
 * @fires chorus-receipt-open - `{ id }`, when a visitor opens a story's receipt
 */
export class ChorusStoryWall extends ChorusElement {
  static override catalogs = [wallText, storyText];
  static override styles = [baseStyles, storyWallStyles];
  static override properties = {
    ...ChorusElement.properties,
    course: { type: String },
    layout: { type: String, reflect: true },
    limit: { type: Number },
    outcome: { type: String },
    verified: { type: Boolean },
    courseName: { type: String, attribute: "course-name" },
    interval: { type: Number },
    noJsonLd: { type: Boolean, attribute: "no-json-ld" },
    _items: { state: true },
    _cursor: { state: true },
    _index: { state: true },
    _playing: { state: true },
    _receipt: { state: true },
  };

  /** The course whose stories to show (a slug such as `data-analytics`); empty for every course. */
  declare course: string;
  /** `wall` (masonry columns), `carousel` (one story at a time) or `list`. */
  declare layout: "wall" | "carousel" | "list";
  /** Stories per page (1–50). */
  declare limit: number;
  /** Only stories with this outcome type (`new_job`, `promotion`, …); the visitor can change it. */
  declare outcome: string;
  /** Only stories the provider attested or a credential verified; the visitor can change it. */
  declare verified: boolean;
  /** The course's title for the search-engine markup (default: the page's title). */
  declare courseName: string;
  /** Seconds between slides of a carousel that advances by itself (never under reduced motion). */
  declare interval: number;
  /** Leaves out the JSON-LD `Review` markup (for a second wall of the same course on one page). */
  declare noJsonLd: boolean;
  declare _items: PublicStory[];
  declare _cursor: string | null;
  /** The course's rating over all its approved stories (from the first page), for the JSON-LD. */
  private _rating: StoryPage["rating"] = null;
  declare _index: number;
  declare _playing: boolean;
  /** The story whose receipt is open. */
  declare _receipt: PublicStory | null;

  /**
   * A page of stories: the first for the filters (again when they change), or with `more` the
   * next one. Only the latest request may fill the wall.
   */
  private readonly _page = new Task(
    this,
    ([course, outcome, verified, limit, more]) => {
      const query = new URLSearchParams({ limit: String(Math.min(50, Math.max(1, Math.trunc(limit) || 12))) });
      if (course) query.set("course", course);
      if ((outcomeTypes as readonly string[]).includes(outcome)) query.set("outcome", outcome);
      if (verified) query.set("verified", "true");
      if (more && this._cursor) query.set("cursor", this._cursor);
      return api<StoryPage>(`/v1/stories?${query}`);
    },
    (): [string, string, boolean, number, boolean?] => [this.course, this.outcome, this.verified, this.limit],
    (page, [, , , , more]) => {
      if (more) this._focusFrom = this._items.length;
      else this._index = 0;
      this._items = more ? [...this._items, ...page.items] : page.items;
      if (!more) this._rating = page.rating ?? null;
      this._cursor = page.nextCursor;
      this.emit("chorus-stories-loaded", { count: this._items.length, hasMore: page.nextCursor !== null });
    },
  );
  /**
   * What the wall shows: the latest first page's outcome. A page on its way keeps what is on
   * screen (no jump), unless there is nothing yet; a next page that fails leaves it too.
   */
  private _shown: TaskStatus = PENDING;
  /** The open receipt's checks, requested each time it opens. */
  private readonly _verification = new Task(
    this,
    ([story]) =>
      story ? api<StoryVerification>(`/v1/stories/${encodeURIComponent(story.id)}/verification`) : initialState,
    () => [this._receipt],
  );
  private _timer?: number;
  /** Pointer or keyboard focus inside the carousel holds it still. */
  private _hold = false;
  private _focusFrom = -1;
  private _opener: HTMLElement | null = null;

  constructor() {
    super();
    this.course = "";
    this.layout = "wall";
    this.limit = 12;
    this.outcome = "";
    this.verified = false;
    this.courseName = "";
    this.interval = 7;
    this.noJsonLd = false;
    this._items = [];
    this._cursor = null;
    this._index = 0;
    this._playing = !reducedMotion.matches;
    this._receipt = null;
  }

  private readonly _onMotion = () => {
    if (reducedMotion.matches) this._playing = false;
    this._syncTimer();
  };

  override connectedCallback() {
    super.connectedCallback();
    reducedMotion.addEventListener("change", this._onMotion);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    reducedMotion.removeEventListener("change", this._onMotion);
    clearInterval(this._timer);
    this._timer = undefined;
  }

  private _t(key: WallKey, vars?: Record<string, string | number>) {
    return wallText(this.locale, key, vars);
  }

  override updated(changed: Map<string, unknown>) {
    if (changed.has("_items")) {
      this._jsonLd();
      // Video stories' players come in an on-demand chunk (story-wall-video.ts), after the stories are on screen.
      if (this._items.some((story) => story.video))
        import("./story-wall-video.ts").then((video) => video.showVideos(this, this._items)).catch(() => {});
      if (this._focusFrom >= 0) {
        this.renderRoot.querySelectorAll<HTMLElement>("article")[this._focusFrom]?.focus();
        this._focusFrom = -1;
      }
    }
    if (["layout", "_playing", "_items", "interval"].some((name) => changed.has(name))) this._syncTimer();
  }

  /** The first page again (after a failure), or the next one. */
  private _load(more: boolean) {
    void this._page.run([this.course, this.outcome, this.verified, this.limit, more]);
  }

  /**
   * Schema.org `Review`s of the course, in the light DOM where search engines read them. The
   * builder is an on-demand chunk: it comes after the stories are on screen, never before them.
   */
  private _jsonLd() {
    let script = this.querySelector<HTMLScriptElement>(":scope > script[data-chorus]");
    // From the minimum sample of approved stories up (the API sends `rating` only then), as for the figures.
    if (this.noJsonLd || !this.course || this._items.length === 0 || !this._rating) {
      script?.remove();
      return;
    }
    const [items, rating] = [this._items, this._rating];
    void import("./lib/story-json-ld.ts")
      .then(({ storiesJsonLdScript }) => {
        // Stories replaced meanwhile: their own call writes the markup.
        if (items !== this._items || this.noJsonLd) return;
        if (!script) {
          script = document.createElement("script");
          script.type = "application/ld+json";
          script.dataset.chorus = "";
          this.append(script);
        }
        // Escaped so that no story text can close the script element or open another.
        script.textContent = storiesJsonLdScript(
          { name: this.courseName || document.title || this.course, url: location.origin + location.pathname },
          items,
          rating,
        );
      })
      // A host page that forbids it (Trusted Types), or a chunk that did not load: the wall stays, without the markup.
      .catch(() => {});
  }

  private _syncTimer() {
    clearInterval(this._timer);
    this._timer = undefined;
    if (this.layout !== "carousel" || !this._playing || reducedMotion.matches || this._items.length < 2) return;
    this._timer = window.setInterval(() => this._hold || this._go(1), Math.max(1, this.interval) * 1000);
  }

  private _go(step: number) {
    const count = this._items.length;
    if (count) this._index = (this._index + step + count) % count;
  }

  private readonly _onKey = (event: KeyboardEvent) => {
    const steps: Record<string, () => void> = {
      ArrowRight: () => this._go(1),
      ArrowLeft: () => this._go(-1),
      Home: () => (this._index = 0),
      End: () => (this._index = Math.max(0, this._items.length - 1)),
    };
    const action = steps[event.key];
    if (action && !(event.target instanceof HTMLSelectElement)) {
      event.preventDefault();
      action();
    }
  };

  private _filter(event: Event) {
    const target = event.target as HTMLInputElement | HTMLSelectElement;
    if (target instanceof HTMLInputElement) this.verified = target.checked;
    else this.outcome = target.value;
  }

  private async _openReceipt(story: PublicStory, event: Event) {
    this._opener = event.currentTarget as HTMLElement;
    this._receipt = story;
    this.emit("chorus-receipt-open", { id: story.id });
    await this.updateComplete;
    this.renderRoot.querySelector("dialog")?.showModal();
  }

  private _closed() {
    this._receipt = null;
    this._opener?.focus();
  }

  private _story(story: PublicStory, index: number) {
    const level = story.verificationLevel;
    const { salaryIncreasePct: pct, monthsToOutcome: months } = story.outcome;
    const details = [
      storyText(this.locale, story.outcome.type),
      pct !== null ? this._t("salary", { pct: formatNumber(this.locale, pct) }) : "",
      months === null
        ? ""
        : months === 1
          ? this._t("month")
          : this._t("months", { months: formatNumber(this.locale, months) }),
    ].filter(Boolean);
    const rating = Math.min(5, Math.max(1, Math.round(story.rating)));
    return html`<article class="story" part="story" tabindex="-1" aria-labelledby="h${index}">
      <h3 id="h${index}">${story.headline}</h3>
      <p class="rating"><span aria-hidden="true">${"★".repeat(rating)}${"☆".repeat(5 - rating)}</span><span
        class="visually-hidden">${this._t("rated", { rating })}</span></p>
      <p class="body">${story.body}</p>
      ${story.video ? html`<div class="video" data-story=${story.id}></div>` : nothing}
      <div class="author">
        ${
          story.photoUrl?.startsWith("http")
            ? html`<img src=${story.photoUrl} alt="" width="44" height="44" loading="lazy" referrerpolicy="no-referrer" />`
            : nothing
        }
        <p><span class="name">${story.name ?? storyText(this.locale, "anonymous")}</span>
          <span class="outcome">${details.join(" · ")}</span></p>
      </div>
      <button class="badge ${level}" part="badge" aria-haspopup="dialog"
        aria-label="${storyText(this.locale, level)}: ${this._t("viewReceipt")}"
        @click=${(event: Event) => this._openReceipt(story, event)}>${storyText(this.locale, level)}</button>
    </article>`;
  }

  private _carousel() {
    const total = this._items.length;
    return html`<section class="carousel" aria-roledescription="carousel" aria-label=${this._t("stories")}
        @keydown=${this._onKey} @focusin=${() => (this._hold = true)} @focusout=${() => (this._hold = false)}
        @mouseenter=${() => (this._hold = true)} @mouseleave=${() => (this._hold = false)}>
      <div class="controls" part="controls">
        ${
          reducedMotion.matches
            ? nothing
            : html`<button class="button secondary" @click=${() => (this._playing = !this._playing)}>
              ${this._playing ? this._t("pause") : this._t("play")}</button>`
        }
        <button class="button secondary" aria-label=${this._t("previous")} @click=${() => this._go(-1)}>‹</button>
        <span class="position" aria-hidden="true">${this._t("slide", { n: this._index + 1, total })}</span>
        <button class="button secondary" aria-label=${this._t("next")} @click=${() => this._go(1)}>›</button>
      </div>
      <div class="slides" part="stories" aria-live=${this._playing && !reducedMotion.matches ? "off" : "polite"}>
        ${this._items.map(
          (story, index) => html`<div class="slide" role="group" aria-roledescription="slide"
            aria-label=${this._t("slide", { n: index + 1, total })} ?data-current=${index === this._index}>
            ${this._story(story, index)}
          </div>`,
        )}
      </div>
    </section>`;
  }

  private _receiptDialog() {
    const story = this._receipt;
    if (!story) return nothing;
    const { status } = this._verification;
    const data = status === COMPLETE ? this._verification.value : undefined;
    const level = data?.level ?? story.verificationLevel;
    return html`<dialog part="receipt" aria-labelledby="receipt-title" @close=${this._closed}>
      <h2 id="receipt-title">${this._t("receipt")}</h2>
      <p class="badge ${level}">${storyText(this.locale, level)}</p>
      <p>${this._t(level)}</p>
      ${
        status === PENDING
          ? html`<p aria-busy="true">…</p>`
          : !data
            ? html`<p role="alert">${storyText(this.locale, "loadFailed")}</p>`
            : html`<p class="muted">${this._t("checkedOn", { date: formatDate(this.locale, data.checkedAt) })}</p>
            <ul class="checks">
              ${data.checks.map(
                (check) => html`<li class=${check.result}><strong>${this._t(check.result)}</strong>
                  <span class="check">${check.check}</span><span class="detail">${check.detail}</span></li>`,
              )}
            </ul>
            ${data.issuer ? html`<p><strong>${this._t("issuer")}:</strong> ${data.issuer.name ?? data.issuer.id}</p>` : nothing}
            ${
              data.credential
                ? html`<p><strong>${this._t("credential")}:</strong> ${data.credential.name ?? data.credential.id ?? ""}
                  ${data.credential.issuedAt ? html`· ${this._t("issued", { date: formatDate(this.locale, data.credential.issuedAt) })}` : nothing}
                  ${data.credential.expiresAt ? html`· ${this._t("expires", { date: formatDate(this.locale, data.credential.expiresAt) })}` : nothing}</p>`
                : nothing
            }
            ${data.credentialHash ? html`<p class="hash"><strong>${this._t("fingerprint")}:</strong> <code>${data.credentialHash}</code></p>` : nothing}`
      }
      <button class="button" autofocus @click=${() => this.renderRoot.querySelector("dialog")?.close()}>${this._t("close")}</button>
    </dialog>`;
  }

  override render() {
    const filters = html`<div class="filters" part="filters">
      <label>${this._t("outcome")}
        <select .value=${this.outcome} @change=${this._filter}>
          <option value="">${this._t("allOutcomes")}</option>
          ${outcomeTypes.map(
            (type) =>
              html`<option value=${type} ?selected=${type === this.outcome}>${storyText(this.locale, type)}</option>`,
          )}
        </select>
      </label>
      <label class="toggle"><input type="checkbox" .checked=${this.verified} @change=${this._filter} />
        ${this._t("verifiedOnly")}</label>
    </div>`;
    const { status, args } = this._page;
    const more = args?.[4];
    if (status === COMPLETE || (!more && (status === ERROR || !this._items.length))) this._shown = status;
    let content: unknown;
    if (this._shown === PENDING)
      content = html`<p class="placeholder muted" aria-busy="true">${this._t("loading")}</p>`;
    else if (this._shown === ERROR)
      content = html`<div class="placeholder" role="alert"><p>${storyText(this.locale, "loadFailed")}</p>
        <button class="button secondary" @click=${() => this._load(false)}>${storyText(this.locale, "retry")}</button></div>`;
    else if (this._items.length === 0) content = html`<p class="placeholder muted">${this._t("empty")}</p>`;
    else if (this.layout === "carousel") content = this._carousel();
    else
      content = html`<div class="stories ${this.layout === "list" ? "list" : "wall"}" part="stories" role="list"
        aria-label=${this._t("stories")}>
        ${this._items.map((story, index) => html`<div role="listitem">${this._story(story, index)}</div>`)}
      </div>`;
    const busy = more && status === PENDING;
    const loadMore =
      this._cursor && this._shown === COMPLETE && this.layout !== "carousel"
        ? html`<p class="more"><button class="button secondary" part="load-more" ?disabled=${busy}
            aria-busy=${busy ? "true" : "false"} @click=${() => this._load(true)}>${this._t("loadMore")}</button></p>`
        : nothing;
    return html`${filters}${content}${loadMore}
      <p role="status" class="visually-hidden">${more && status === ERROR ? this._t("loadMoreFailed") : ""}</p>
      ${this._receiptDialog()}`;
  }
}

define("chorus-story-wall", ChorusStoryWall);

declare global {
  interface HTMLElementTagNameMap {
    "chorus-story-wall": ChorusStoryWall;
  }
}
