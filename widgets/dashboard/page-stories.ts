/** Stories: what shared stories bring in the period, the CSV import of earlier ones, then moderation (the queue by status; approve, reject, feature, tag). */
import { css, html, nothing } from "lit";
import type { AdminStoryPage, ModerationStory } from "../lib/api-types.ts";
import { get, query, request } from "./api.ts";
import { formatDate } from "./format.ts";
import { DashboardPage, statusFilter } from "./page.ts";
import { can } from "./permissions.ts";
import "./story-breakdown.ts";
import "./story-import.ts";
import { storyVideoText } from "./story-video-strings.ts";
import { dashboardLocale } from "./webhook-strings.ts";

const statuses = ["pending", "approved", "rejected"] as const;

/** A genuine credential is easily read as proof of the story: the moderator is told it is not shown to be the author's. */
const levelLabel = (level: ModerationStory["verificationLevel"]) =>
  level === "credential_genuine" ? "genuine credential, not shown to be the author's" : level.replaceAll("_", " ");

export class ChorusPageStories extends DashboardPage {
  static override styles = [
    ...DashboardPage.styles,
    css`
      h4 {
        font-size: 1.05rem;
        line-height: 1.2;
        margin: 0 0 0.75rem;
      }
      .photo {
        border-radius: 50%;
        object-fit: cover;
      }
    `,
  ];
  static override properties = {
    ...DashboardPage.properties,
    _status: { state: true },
    _items: { state: true },
    _message: { state: true },
    _next: { state: true },
  };
  private _status: (typeof statuses)[number] = "pending";
  private _items: ModerationStory[] | null = null;
  private _next: string | null = null;
  private _message = "";

  protected async load() {
    await storyVideoText.load(this._locale);
    const page = await get<AdminStoryPage>(`/v1/admin/stories${query({ status: this._status, limit: 100 })}`);
    this._items = page.items;
    this._next = page.nextCursor;
  }

  /** The queue goes on past its first page: every story can be reached and moderated. */
  private async _more() {
    if (!this._next) return;
    const page = await get<AdminStoryPage>(
      `/v1/admin/stories${query({ status: this._status, limit: 100, cursor: this._next })}`,
    );
    this._items = [...(this._items ?? []), ...page.items];
    this._next = page.nextCursor;
  }

  private _show(status: (typeof statuses)[number]) {
    this._status = status;
    this._message = "";
    void this.reload();
  }

  private async _change(story: ModerationStory, change: Record<string, unknown>, done: string) {
    try {
      await request("PATCH", `/v1/admin/stories/${encodeURIComponent(story.id)}`, change);
      this._message = done;
      await this.reload();
    } catch (error) {
      this._message = error instanceof Error ? error.message : String(error);
    }
  }

  private readonly _locale = dashboardLocale();

  private _v(key: Parameters<typeof storyVideoText>[1], story: ModerationStory) {
    return storyVideoText(this._locale, key, { headline: story.headline });
  }

  private _onTranscript(event: SubmitEvent, story: ModerationStory) {
    event.preventDefault();
    const area = (event.target as HTMLFormElement).elements.namedItem("transcript") as HTMLTextAreaElement;
    void this._change(story, { transcript: area.value }, this._v("saved", story));
  }

  /**
   * A video story: the moderator watches it before approving (the session's preview of exactly
   * what approval publishes; nothing downloads before play) and may correct its transcript.
   */
  private _video(story: ModerationStory) {
    const video = story.published.video;
    if (!video) return nothing;
    const editable = can("PATCH /v1/admin/stories/{id}");
    return html`<figure>
        <video controls preload="none" width="320" poster=${video.posterUrl ?? nothing} aria-label=${this._v("video", story)}>
          <source src=${video.url} type=${video.type} />
        </video>
        ${video.posterUrl ? nothing : html`<figcaption><small>${this._v("noPoster", story)}</small></figcaption>`}
      </figure>
      <form @submit=${(event: SubmitEvent) => this._onTranscript(event, story)}>
        <label>${this._v("transcript", story)}
          <textarea name="transcript" rows="3" maxlength="5000" .value=${story.transcript ?? ""}></textarea></label>
        ${story.transcript ? nothing : html`<p role="note">${this._v("needed", story)}</p>`}
        <button class="secondary" type="submit" ?disabled=${!editable}>${this._v("saveTranscript", story)}</button>
      </form>`;
  }

  private _onTags(event: SubmitEvent, story: ModerationStory) {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem("tags") as HTMLInputElement;
    const tags = input.value
      .split(",")
      .map((tag) => tag.trim())
      .filter(Boolean);
    void this._change(story, { tags }, `Tags saved for “${story.headline}”.`);
  }

  override render() {
    return html`<h2>Stories</h2>
      <chorus-story-breakdown .filter=${this.filter}></chorus-story-breakdown>
      ${
        can("POST /v1/admin/stories/imports/preview")
          ? html`<chorus-story-import @chorus-stories-imported=${() => void this.reload()}></chorus-story-import>`
          : nothing
      }
      <h3>Moderation queue</h3>
      ${statusFilter("Show stories", statuses, this._status, (status) => this._show(status), this._message)}
      ${this.status()}
      ${
        this._items?.length === 0
          ? html`<p class="empty">
              ${this._status === "pending" ? "Nothing waits for moderation. New stories from the story form land here." : `No ${this._status} stories.`}
            </p>`
          : nothing
      }
      ${(this._items ?? []).map(
        (story) => html`<article class="panel" aria-labelledby=${`h-${story.id}`}>
          <h4 id=${`h-${story.id}`}>${story.headline}</h4>
          <p>
            <span class="badge">${story.course}</span> <span class="badge">${story.outcome.type.replaceAll("_", " ")}</span>
            <span class="badge">${levelLabel(story.verificationLevel)}</span> <span class="badge">${story.rating}/5</span>
            ${story.featured ? html`<span class="badge">featured</span>` : nothing}
            ${story.source === "import" ? html`<span class="badge">imported from ${story.importedFrom}</span>` : nothing}
          </p>
          <p>${story.body}</p>
          ${
            // Chorus's checked copy (or its preview), exactly what the wall shows: never the author's URL.
            story.published.photoUrl
              ? html`<img class="photo" src=${story.published.photoUrl} alt="Photo as published" width="88" height="88" />`
              : nothing
          }
          ${story.photoRefusal ? html`<p role="note">Photo not published: ${story.photoRefusal}</p>` : nothing}
          ${this._video(story)}
          <p><small>Shown as ${story.published.name ?? "A learner"}${story.published.name === null ? ` (name not shared: ${story.name})` : nothing} · ${formatDate(story.createdAt)}</small></p>
          <div class="row">
            ${story.status !== "approved" ? html`<button ?disabled=${!can("PATCH /v1/admin/stories/{id}")} @click=${() => this._change(story, { status: "approved" }, `Approved “${story.headline}”.`)}>Approve</button>` : nothing}
            ${story.status !== "rejected" ? html`<button class="danger" ?disabled=${!can("PATCH /v1/admin/stories/{id}")} @click=${() => this._change(story, { status: "rejected" }, `Rejected “${story.headline}”.`)}>Reject</button>` : nothing}
            <button class="secondary" ?disabled=${!can("PATCH /v1/admin/stories/{id}")} @click=${() => this._change(story, { featured: !story.featured }, story.featured ? "No longer featured." : "Featured.")}>
              ${story.featured ? "Unfeature" : "Feature"}
            </button>
            <form class="row" @submit=${(event: SubmitEvent) => this._onTags(event, story)}>
              <label>Tags (comma separated) <input name="tags" .value=${story.tags.join(", ")} /></label>
              <button class="secondary" type="submit" ?disabled=${!can("PATCH /v1/admin/stories/{id}")}>Save tags</button>
            </form>
          </div>
        </article>`,
      )}
      ${this._next ? html`<button class="secondary" @click=${this._more}>Show more stories</button>` : nothing}`;
  }
}

customElements.define("chorus-page-stories", ChorusPageStories);
