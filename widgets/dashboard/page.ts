/** What every dashboard page shares: the filter it shows, loading and error states. */
import { html, LitElement, nothing, type TemplateResult } from "lit";
import type { BreakdownRow } from "../lib/api-types.ts";
import { ChorusApiError } from "./api.ts";
import { dashboardStyles } from "./styles.ts";

export type Filter = { from: string; to: string; course: string };

/** One row of `GET /v1/analytics/breakdown`: a course, channel, story… and its funnel. */
export type { BreakdownRow };

export abstract class DashboardPage extends LitElement {
  static override styles = [dashboardStyles];
  static override properties = {
    filter: { attribute: false },
    _loading: { state: true },
    _problem: { state: true },
  };

  /** The period and course chosen in the header. */
  filter: Filter = { from: "", to: "", course: "" };
  protected _loading = false;
  protected _problem: ChorusApiError | null = null;

  /** Fetches what the page shows. */
  protected abstract load(): Promise<void>;

  protected override updated(changed: Map<string, unknown>) {
    if (changed.has("filter")) void this.reload();
  }

  protected async reload() {
    this._loading = true;
    this._problem = null;
    try {
      await this.load();
    } catch (error) {
      this._problem = error instanceof ChorusApiError ? error : new ChorusApiError(0, "client", String(error));
    } finally {
      this._loading = false;
    }
  }

  /** The page's status line: loading, or what went wrong and what to do. */
  protected status(notFound?: TemplateResult): TemplateResult | typeof nothing {
    if (this._problem?.status === 404 && notFound) return notFound;
    if (this._problem) return html`<p class="error" role="alert">${this._problem.message}</p>`;
    if (this._loading) return html`<p role="status">Loading…</p>`;
    return nothing;
  }

  protected rangeQuery() {
    return { from: this.filter.from, to: this.filter.to, course: this.filter.course || undefined };
  }
}

/**
 * A list page's status filter: one toggle button a status (the current one pressed), then the line
 * that tells what the last action did.
 */
export function statusFilter<S extends string>(
  label: string,
  statuses: readonly S[],
  current: S,
  show: (status: S) => void,
  message: string,
): TemplateResult {
  return html`<div class="row" role="group" aria-label=${label}>
        ${statuses.map(
          (
            status,
          ) => html`<button class=${status === current ? "" : "secondary"} aria-pressed=${status === current ? "true" : "false"}
            @click=${() => show(status)}>${status[0]?.toUpperCase()}${status.slice(1)}</button>`,
        )}
      </div>
      <p role="status">${message}</p>`;
}
