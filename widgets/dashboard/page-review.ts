/**
 * Review: the fraud review queue. Each held case shows the rules that fired in plain words, its
 * held rewards and notes; the reviewer approves, voids or bans the referrer for the selected
 * cases (after a confirmation dialog), blocks the case's email or network, or a domain.
 */
import { css, html, nothing } from "lit";
import type { Block, ReviewCase, ReviewQueue } from "../lib/api-types.ts";
import { get, request } from "./api.ts";
import { formatDate, formatMoney } from "./format.ts";
import { DashboardPage } from "./page.ts";
import { reviewText } from "./review-strings.ts";
import { dashboardLocale } from "./webhook-strings.ts";

type Decision = "approve" | "void" | "ban";
const confirmKey = { approve: "confirmApprove", void: "confirmVoid", ban: "confirmBan" } as const;

export class ChorusPageReview extends DashboardPage {
  static override styles = [
    ...DashboardPage.styles,
    css`
      ul.cases {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      /* A checkbox beside its words, not a text field's tall box above them. */
      label.check {
        flex-direction: row;
        align-items: center;
        gap: 0.5rem;
      }
      label.case-title {
        color: var(--ink);
        font-size: 1rem;
      }
      input[type="checkbox"] {
        min-height: 0;
        width: 1.25rem;
        height: 1.25rem;
        padding: 0;
        accent-color: var(--accent);
      }
    `,
  ];
  static override properties = {
    ...DashboardPage.properties,
    _cases: { state: true },
    _blocks: { state: true },
    _selected: { state: true },
    _pending: { state: true },
    _message: { state: true },
  };
  private _cases: ReviewCase[] | null = null;
  private _blocks: Block[] = [];
  private _selected = new Set<string>();
  /** The decision waiting for confirmation in the dialog. */
  private _pending: Decision | null = null;
  private _message = "";
  private readonly _locale = dashboardLocale();

  private _t(key: Parameters<typeof reviewText>[1], vars?: Record<string, string | number>) {
    return reviewText(this._locale, key, vars);
  }

  protected async load() {
    await reviewText.load(this._locale);
    const [queue, blocks] = await Promise.all([
      get<ReviewQueue>("/v1/admin/review?limit=100"),
      get<{ items: Block[] }>("/v1/admin/blocks"),
    ]);
    this._cases = queue.items;
    this._blocks = blocks.items;
    this._selected = new Set([...this._selected].filter((id) => queue.items.some((c) => c.conversionId === id)));
  }

  private _reason(): string {
    return (this.renderRoot.querySelector<HTMLInputElement>("#review-reason")?.value ?? "").trim();
  }

  private _toggle(id: string, on: boolean) {
    const next = new Set(this._selected);
    if (on) next.add(id);
    else next.delete(id);
    this._selected = next;
  }

  private _ask(decision: Decision) {
    this._pending = decision;
    void this.updateComplete.then(() => this.renderRoot.querySelector("dialog")?.showModal());
  }

  private async _confirm() {
    const action = this._pending;
    this.renderRoot.querySelector("dialog")?.close();
    this._pending = null;
    if (!action) return;
    await this._run(async () => {
      const result = await request<{ decided: number; rewardsChanged: number }>("POST", "/v1/admin/review/decisions", {
        conversionIds: [...this._selected],
        action,
        reason: this._reason() || undefined,
      });
      this._selected = new Set();
      return this._t("done", { count: result.decided, rewards: result.rewardsChanged });
    });
  }

  private async _run(work: () => Promise<string>) {
    try {
      this._message = await work();
      await this.reload();
    } catch (error) {
      this._message = error instanceof Error ? error.message : String(error);
    }
  }

  private _block(body: Record<string, string>) {
    return this._run(async () => {
      await request("POST", "/v1/admin/blocks", { ...body, reason: this._reason() || "blocked in the review queue" });
      return this._t("blocked");
    });
  }

  private _onNote(event: SubmitEvent, item: ReviewCase) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const body = String(new FormData(form).get("body") ?? "").trim();
    if (!body) return;
    void this._run(async () => {
      await request("POST", `/v1/admin/review/${encodeURIComponent(item.conversionId)}/notes`, { body });
      form.reset();
      return "";
    });
  }

  private _onDomain(event: SubmitEvent) {
    event.preventDefault();
    const value = String(new FormData(event.target as HTMLFormElement).get("domain") ?? "").trim();
    if (value) void this._block({ kind: "domain", value });
  }

  private _case(item: ReviewCase) {
    const amount = item.amount !== null && item.currency ? formatMoney(item.amount, item.currency) : "";
    return html`<li class="panel" data-case=${item.conversionId}>
      <label class="row check case-title"><input type="checkbox" .checked=${this._selected.has(item.conversionId)}
        aria-label=${this._t("select", { id: item.externalId })}
        @change=${(e: Event) => this._toggle(item.conversionId, (e.target as HTMLInputElement).checked)} />
        <strong>${item.type} ${item.externalId}</strong> ${amount} · ${formatDate(item.occurredAt)}</label>
      <p>${this._t("referrer")}: ${item.referrer ?? "–"}</p>
      <h4>${this._t("evidence")}</h4>
      <ul>${item.rules.map((rule) => html`<li><strong>${rule.evidence}</strong><br /><small>${rule.detail}</small></li>`)}</ul>
      <p>${this._t("rewards")}: ${item.rewards
        .filter((r) => r.status === "pending")
        .map((r) => (r.amount !== null && r.currency ? formatMoney(r.amount, r.currency) : r.kind))
        .join(", ")}</p>
      <div class="row">
        <button class="secondary" @click=${() => this._block({ kind: "email", conversionId: item.conversionId })}>${this._t("blockEmail")}</button>
        <button class="secondary" @click=${() => this._block({ kind: "network", conversionId: item.conversionId })}>${this._t("blockNetwork")}</button>
      </div>
      ${item.notes.length ? html`<h4>${this._t("notes")}</h4><ul>${item.notes.map((n) => html`<li>${n.body} <small>(${formatDate(n.at)})</small></li>`)}</ul>` : nothing}
      <form class="row" @submit=${(e: SubmitEvent) => this._onNote(e, item)}>
        <label>${this._t("note")} <input name="body" maxlength="2000" required /></label>
        <button type="submit" class="secondary">${this._t("addNote")}</button>
      </form>
    </li>`;
  }

  override render() {
    const cases = this._cases;
    const count = this._selected.size;
    return html`<h2>${this._t("title")}</h2>
      <p>${this._t("intro")}</p>
      <p role="status">${this._message}</p>
      ${this.status()}
      ${cases?.length === 0 ? html`<p class="empty">${this._t("empty")}</p>` : nothing}
      ${
        cases?.length
          ? html`<div class="panel row" role="group" aria-label=${this._t("selected", { count })}>
                <label class="check"><input type="checkbox" .checked=${count === cases.length}
                  @change=${(e: Event) => {
                    this._selected = (e.target as HTMLInputElement).checked
                      ? new Set(cases.map((c) => c.conversionId))
                      : new Set();
                  }} /> ${this._t("selectAll")}</label>
                <span>${this._t("selected", { count })}</span>
                <label>${this._t("reason")} <input id="review-reason" maxlength="500" /></label>
                <button ?disabled=${count === 0} @click=${() => this._ask("approve")}>${this._t("approve")}</button>
                <button class="danger" ?disabled=${count === 0} @click=${() => this._ask("void")}>${this._t("void")}</button>
                <button class="danger" ?disabled=${count === 0} @click=${() => this._ask("ban")}>${this._t("ban")}</button>
              </div>
              <ul class="cases">${cases.map((item) => this._case(item))}</ul>`
          : nothing
      }
      <section class="panel" aria-labelledby="blocks-title">
        <h3 id="blocks-title">${this._t("blockList")}</h3>
        ${this._blocks.length === 0 ? html`<p class="empty">${this._t("noBlocks")}</p>` : nothing}
        <ul>${this._blocks.map(
          (b) => html`<li>${b.kind}: ${b.value} — ${b.reason}
            <button class="secondary" @click=${() =>
              this._run(async () => {
                await request("DELETE", `/v1/admin/blocks/${encodeURIComponent(b.id)}`);
                return "";
              })}>${this._t("unblock")}</button></li>`,
        )}</ul>
        <form class="row" @submit=${this._onDomain}>
          <label>${this._t("domain")} <input name="domain" maxlength="253" required /></label>
          <button type="submit" class="secondary">${this._t("blockDomain")}</button>
        </form>
      </section>
      <dialog aria-labelledby="confirm-title">
        <h3 id="confirm-title">${this._t("confirmTitle")}</h3>
        <p>${this._pending ? this._t(confirmKey[this._pending], { count }) : ""}</p>
        <div class="row">
          <button class="danger" @click=${this._confirm}>${this._t("confirm")}</button>
          <button class="secondary" @click=${() => {
            this._pending = null;
            this.renderRoot.querySelector("dialog")?.close();
          }}>${this._t("cancel")}</button>
        </div>
      </dialog>`;
  }
}

customElements.define("chorus-page-review", ChorusPageReview);
