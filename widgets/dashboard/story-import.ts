/**
 * `<chorus-story-import>` on the Stories page: a CSV of earlier testimonials is checked (every
 * row's errors by row and column, nothing saved), then imported with a progress bar fed by the
 * server's NDJSON answer (one line per 1,000 rows written), then summed up. The file goes as the
 * raw body (`text/csv`) straight from disk: the browser never reads 100,000 rows into a string.
 *
 * @event chorus-stories-imported - after an import that saved stories (the page reloads its queue)
 */
import { html, LitElement, nothing } from "lit";
import type { StoryImportFailure, StoryImportLine, StoryImportPreview } from "../lib/api-types.ts";
import { ChorusApiError, query } from "./api.ts";
import { can } from "./permissions.ts";
import { importText } from "./story-import-strings.ts";
import { dashboardStyles } from "./styles.ts";
import { dashboardLocale } from "./webhook-strings.ts";

type Progress = StoryImportLine | StoryImportFailure;

/** The error envelope's message of a refused request, or a plain reason. */
async function refusal(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: string } };
    return body.error?.message ?? `The server answered ${response.status}`;
  } catch {
    return `The server answered ${response.status}`;
  }
}

function send(path: string, file: File): Promise<Response> {
  return fetch(`${path}${query({ label: file.name })}`, {
    method: "POST",
    body: file,
    credentials: "same-origin",
    headers: { "Content-Type": "text/csv", "X-Chorus-Dashboard": "1" },
  });
}

/** The NDJSON answer's lines as they arrive. */
async function* lines(response: Response): AsyncGenerator<Progress> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) pending += value;
    let end = pending.indexOf("\n");
    while (end >= 0) {
      const line = pending.slice(0, end).trim();
      pending = pending.slice(end + 1);
      if (line) yield JSON.parse(line) as Progress;
      end = pending.indexOf("\n");
    }
    if (done) return;
  }
}

export class ChorusStoryImport extends LitElement {
  static override styles = [dashboardStyles];
  static override properties = {
    _file: { state: true },
    _busy: { state: true },
    _preview: { state: true },
    _progress: { state: true },
    _error: { state: true },
  };
  private _file: File | null = null;
  private _busy = false;
  private _preview: StoryImportPreview | null = null;
  private _progress: Progress | null = null;
  private _error = "";
  private readonly _locale = dashboardLocale();

  override connectedCallback() {
    super.connectedCallback();
    void importText.load(this._locale)?.then(() => this.requestUpdate());
  }

  private _t(key: Parameters<typeof importText>[1], vars?: Record<string, string | number>) {
    return importText(this._locale, key, vars);
  }

  private _onFile(event: Event) {
    this._file = (event.target as HTMLInputElement).files?.[0] ?? null;
    this._preview = null;
    this._progress = null;
    this._error = "";
  }

  private async _check() {
    if (!this._file) return;
    this._busy = true;
    this._error = "";
    this._progress = null;
    try {
      const response = await send("/v1/admin/stories/imports/preview", this._file);
      if (!response.ok) throw new ChorusApiError(response.status, "refused", await refusal(response));
      this._preview = (await response.json()) as StoryImportPreview;
    } catch (error) {
      this._preview = null;
      this._error = error instanceof Error ? error.message : String(error);
    } finally {
      this._busy = false;
    }
  }

  private async _import() {
    if (!this._file || !this._preview) return;
    this._busy = true;
    this._error = "";
    this._progress = { type: "progress", rows: 0, valid: 0, refused: 0, imported: 0, duplicates: 0 };
    try {
      const response = await send("/v1/admin/stories/imports", this._file);
      if (!response.ok) throw new ChorusApiError(response.status, "refused", await refusal(response));
      for await (const line of lines(response)) this._progress = line;
      if ((this._progress?.imported ?? 0) > 0) {
        this.dispatchEvent(new CustomEvent("chorus-stories-imported", { bubbles: true, composed: true }));
      }
    } catch (error) {
      this._error = error instanceof Error ? error.message : String(error);
    } finally {
      this._busy = false;
    }
  }

  private _renderPreview(preview: StoryImportPreview) {
    const t = this._t.bind(this);
    const ready = preview.valid - preview.alreadyImported;
    return html`<p role="status">
        ${t("counts", { rows: preview.rows, valid: preview.valid, refused: preview.refused, already: preview.alreadyImported })}
      </p>
      ${preview.ignoredColumns.length > 0 ? html`<p>${t("ignored", { columns: preview.ignoredColumns.join(", ") })}</p>` : nothing}
      ${
        preview.sample.length > 0
          ? html`<h4>${t("sampleTitle")}</h4>
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr><th scope="col">${t("row")}</th><th scope="col">${t("name")}</th><th scope="col">${t("headline")}</th><th scope="col">${t("course")}</th><th scope="col">${t("rating")}</th><th scope="col">${t("date")}</th></tr>
                  </thead>
                  <tbody>
                    ${preview.sample.map(
                      (row) =>
                        html`<tr><td>${row.row}</td><td>${row.name}</td><td>${row.headline}</td><td>${row.course}</td><td>${row.rating}</td><td>${String(row.date).slice(0, 10)}</td></tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
          : nothing
      }
      <h4>${t("errorsTitle")}</h4>
      ${
        preview.errors.length === 0
          ? html`<p>${t("noErrors")}</p>`
          : html`<div class="table-wrap">
                <table class="import-errors">
                  <thead><tr><th scope="col">${t("row")}</th><th scope="col">${t("column")}</th><th scope="col">${t("reason")}</th></tr></thead>
                  <tbody>
                    ${preview.errors.map(
                      (error) =>
                        html`<tr><td>${error.row}</td><td>${error.column ?? t("wholeRow")}</td><td>${error.reason}</td></tr>`,
                    )}
                  </tbody>
                </table>
              </div>
              ${preview.errors.length < preview.refused ? html`<p>${t("moreErrors", { shown: preview.errors.length, refused: preview.refused })}</p>` : nothing}`
      }
      <div class="row">
        <button ?disabled=${this._busy || ready <= 0 || !can("POST /v1/admin/stories/imports")} @click=${this._import}>
          ${t("confirm", { count: Math.max(ready, 0) })}
        </button>
      </div>`;
  }

  private _renderProgress(progress: Progress, total: number) {
    const t = this._t.bind(this);
    if (progress.type === "done") {
      return html`<p role="status" class="notice">
        ${t("done", { imported: progress.imported, duplicates: progress.duplicates, refused: progress.refused })}
      </p>`;
    }
    if (progress.type === "error")
      return html`<p role="alert" class="error">${t("stopped", { message: progress.error.message })}</p>`;
    return html`<p>
        <label>${t("progress", { done: progress.rows, total })}
          <progress aria-label=${t("progressLabel")} max=${total} .value=${progress.rows}></progress>
        </label>
      </p>`;
  }

  override render() {
    const t = this._t.bind(this);
    return html`<section class="panel" aria-labelledby="import-title">
      <h3 id="import-title">${t("title")}</h3>
      <p>${t("intro")}</p>
      <div class="row">
        <label>${t("file")} <input type="file" name="csv" accept=".csv,text/csv" @change=${this._onFile} /></label>
        <button class="secondary" ?disabled=${!this._file || this._busy} @click=${this._check}>${t("check")}</button>
      </div>
      ${this._busy && !this._progress ? html`<p role="status">${t("checking")}</p>` : nothing}
      ${this._error ? html`<p role="alert" class="error">${this._error}</p>` : nothing}
      ${this._preview && !this._progress ? this._renderPreview(this._preview) : nothing}
      ${this._progress && this._preview ? this._renderProgress(this._progress, this._preview.rows) : nothing}
    </section>`;
  }
}

customElements.define("chorus-story-import", ChorusStoryImport);

declare global {
  interface HTMLElementTagNameMap {
    "chorus-story-import": ChorusStoryImport;
  }
}
