/** Rewards: the list by status; approve, void, mark issued (the rewards admin API). */

import { html, nothing } from "lit";
import type { Reward, RewardList } from "../lib/api-types.ts";
import { get, query, request } from "./api.ts";
import { formatDate, formatMoney } from "./format.ts";
import { DashboardPage, statusFilter } from "./page.ts";
import { can } from "./permissions.ts";

const statuses = ["pending", "approved", "issued", "void"] as const;

export class ChorusPageRewards extends DashboardPage {
  static override properties = {
    ...DashboardPage.properties,
    _status: { state: true },
    _items: { state: true },
    _message: { state: true },
  };
  private _status: (typeof statuses)[number] = "pending";
  private _items: Reward[] | null = null;
  private _message = "";

  protected async load() {
    this._items = null;
    this._items = (await get<RewardList>(`/v1/admin/rewards${query({ status: this._status })}`)).items;
  }

  private _show(status: (typeof statuses)[number]) {
    this._status = status;
    this._message = "";
    void this.reload();
  }

  private async _act(reward: Reward, action: "approve" | "void" | "issue", done: string) {
    try {
      await request("POST", `/v1/admin/rewards/${encodeURIComponent(reward.id)}/${action}`, {});
      this._message = done;
      await this.reload();
    } catch (error) {
      this._message = error instanceof Error ? error.message : String(error);
    }
  }

  override render() {
    const missing = html`<p class="notice">
      This server does not offer reward management yet (<code>/v1/admin/rewards</code> answered 404). Rewards are still
      created and recorded with each conversion; update the server to approve, void and issue them here.
    </p>`;
    return html`<h2>Rewards</h2>
      ${statusFilter("Show rewards", statuses, this._status, (status) => this._show(status), this._message)}
      ${this.status(missing)}
      ${this._items?.length === 0 ? html`<p class="empty">No ${this._status} rewards. Rewards appear when referred friends enrol or complete.</p>` : nothing}
      ${
        this._items?.length
          ? html`<div class="panel table-wrap" tabindex="0"><table>
              <caption class="sr-only">${this._status} rewards</caption>
              <thead><tr><th scope="col">Reward</th><th scope="col">For</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
              <tbody>${this._items.map(
                (r) => html`<tr>
                  <th scope="row">${r.amount !== null && r.currency ? formatMoney(r.amount, r.currency) : r.percent ? `${r.percent}%` : r.kind}
                    <br /><small>${r.kind} · ${r.side}${r.flagged ? " · flagged for review" : ""}</small></th>
                  <td>${r.learnerId ?? r.customerId ?? "–"}</td>
                  <td>${formatDate(r.createdAt)}${r.holdUntil ? html`<br /><small>held until ${formatDate(r.holdUntil)}</small>` : nothing}</td>
                  <td><div class="row">
                    ${r.status === "pending" ? html`<button ?disabled=${!can("POST /v1/admin/rewards/{id}/approve")} @click=${() => this._act(r, "approve", "Reward approved.")}>Approve</button>` : nothing}
                    ${r.status === "approved" ? html`<button ?disabled=${!can("POST /v1/admin/rewards/{id}/issue")} @click=${() => this._act(r, "issue", "Reward marked as issued.")}>Mark issued</button>` : nothing}
                    ${r.status !== "void" ? html`<button class="danger" ?disabled=${!can("POST /v1/admin/rewards/{id}/void")} @click=${() => this._act(r, "void", "Reward voided.")}>Void</button>` : nothing}
                  </div></td>
                </tr>`,
              )}</tbody></table></div>`
          : nothing
      }`;
  }
}

customElements.define("chorus-page-rewards", ChorusPageRewards);
