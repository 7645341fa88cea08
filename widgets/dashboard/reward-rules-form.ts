/**
 * The reward rules (`rewardRules`) as a form on the settings page, instead of JSON: one group of
 * fields per rule (all courses, or one course), the monthly cap and the milestones. Amounts are
 * typed in major units and sent as minor units (reward-rules-draft.ts). What is wrong is said
 * beside its field, checked here first and then by the server (its error paths mapped back to the
 * fields); saved with `PATCH /v1/admin/program`.
 */
import { html, nothing } from "lit";
import type { Settings } from "../lib/api-types.ts";
import { ChorusApiError, request } from "./api.ts";
import {
  type Draft,
  emptyRule,
  fieldOfPath,
  fromDraft,
  type Problem,
  type RuleDraft,
  toDraft,
} from "./reward-rules-draft.ts";
import { type RewardRulesKey, rewardRulesText } from "./reward-rules-strings.ts";
import { SettingsForm } from "./settings-form.ts";

export class ChorusRewardRulesForm extends SettingsForm<string> {
  static override properties = { ...SettingsForm.properties, _draft: { state: true } };
  protected readonly problemsId = "reward-rules-problems";
  private _draft: Draft | null = null;

  protected loadStrings() {
    return rewardRulesText.load(this._locale);
  }

  private _text(key: RewardRulesKey, vars?: Record<string, string | number>) {
    return rewardRulesText(this._locale, key, vars);
  }

  override willUpdate() {
    if (this._settings && !this._draft) this._draft = toDraft(this._settings.rewardRules);
  }

  /** Keeps a typed value in the draft (no re-render needed for text; choices re-render). */
  private _set(i: number, field: keyof RuleDraft, value: string) {
    if (!this._draft) return;
    const rules = this._draft.rules.map((rule, j) => (j === i ? { ...rule, [field]: value } : rule));
    this._draft = { ...this._draft, rules };
  }

  private _add() {
    if (!this._draft) return;
    this._draft = { ...this._draft, rules: [...this._draft.rules, emptyRule()] };
  }

  private _remove(i: number) {
    if (!this._draft) return;
    this._draft = { ...this._draft, rules: this._draft.rules.filter((_, j) => j !== i) };
    this._errors = {};
  }

  private _problemText(problem: Problem) {
    return this._text(problem.key as RewardRulesKey, problem.vars);
  }

  private async _onSave(event: SubmitEvent) {
    event.preventDefault();
    if (!this._draft) return;
    this._message = "";
    const result = fromDraft(this._draft);
    if ("problems" in result) {
      this._errors = Object.fromEntries(Object.entries(result.problems).map(([k, p]) => [k, this._problemText(p)]));
    } else {
      this._errors = {};
      try {
        this._settings = await request<Settings>("PATCH", "/v1/admin/program", { rewardRules: result.rules });
        this._draft = toDraft(this._settings.rewardRules);
        this._message = this._text("saved");
        return;
      } catch (error) {
        const failure = error instanceof ChorusApiError ? error : null;
        for (const detail of failure?.details ?? []) {
          const field = detail.path ? fieldOfPath(detail.path) : null;
          if (field) this._errors = { ...this._errors, [field]: detail.message ?? this._text("invalid") };
        }
        if (Object.keys(this._errors).length === 0) this._message = failure?.message ?? String(error);
      }
    }
    await this._focusProblems();
  }

  /** A text field with its label and the message beside it. */
  private _input(
    name: string,
    label: string,
    value: string,
    onInput: (value: string) => void,
    attrs: { size?: number } = {},
  ) {
    const field = this._field(name);
    return html`<p>
      <label>${label}
        <input id=${name} name=${name} size=${attrs.size ?? 12} spellcheck="false" autocomplete="off" .value=${value}
          aria-invalid=${field.invalid} aria-describedby=${field.describedby}
          @input=${(e: Event) => onInput((e.target as HTMLInputElement).value)} />
        ${field.error}</label>
    </p>`;
  }

  private _rule(rule: RuleDraft, i: number) {
    const id = (field: string) => `r${i}-${field}`;
    const set = (field: keyof RuleDraft) => (value: string) => this._set(i, field, value);
    const tiers = this._field(id("tiers"));
    const title = rule.course.trim() ? this._text("ruleFor", { course: rule.course.trim() }) : this._text("ruleAll");
    return html`<fieldset>
      <legend>${title}</legend>
      ${this._input(id("course"), this._text("course"), rule.course, set("course"), { size: 24 })}
      <p><label>${this._text("kind")}
        <select name=${id("kind")} @change=${(e: Event) => this._set(i, "kind", (e.target as HTMLSelectElement).value)}>
          ${(["credit", "coupon", "cash"] as const).map(
            (kind) => html`<option value=${kind} ?selected=${rule.kind === kind}>${this._text(kind)}</option>`,
          )}
        </select></label></p>
      <fieldset>
        <legend>${this._text("type")}</legend>
        ${(["fixed", "percent"] as const).map(
          (type) => html`<label><input type="radio" name=${id("type")} value=${type} ?checked=${rule.type === type}
            @change=${() => this._set(i, "type", type)} /> ${this._text(type)}</label> `,
        )}
      </fieldset>
      ${this._input(id("currency"), this._text("currency"), rule.currency, set("currency"), { size: 4 })}
      ${
        rule.type === "fixed"
          ? this._input(id("amount"), this._text("amount"), rule.amount, set("amount"))
          : html`${this._input(id("percent"), this._text("percentValue"), rule.percent, set("percent"), { size: 6 })}
            ${this._input(id("cap"), this._text("cap"), rule.cap, set("cap"))}`
      }
      <fieldset>
        <legend>${this._text("payments")}</legend>
        <label><input type="radio" name=${id("payments")} value="first" ?checked=${rule.payments === "first"}
          @change=${() => this._set(i, "payments", "first")} /> ${this._text("first")}</label>
        <label><input type="radio" name=${id("payments")} value="each" ?checked=${rule.payments === "each"}
          @change=${() => this._set(i, "payments", "each")} /> ${this._text("each")}</label>
        ${rule.payments === "each" ? this._input(id("upTo"), this._text("upTo"), rule.upTo, set("upTo"), { size: 4 }) : nothing}
      </fieldset>
      ${this._input(id("signup"), this._text("signup"), rule.signup, set("signup"))}
      <p><label>${this._text("tiers")}
        <textarea id=${id("tiers")} name=${id("tiers")} rows="3" spellcheck="false" .value=${rule.tiers}
          aria-invalid=${tiers.invalid} aria-describedby=${tiers.describedby}
          @input=${(e: Event) => this._set(i, "tiers", (e.target as HTMLTextAreaElement).value)}></textarea>
        ${tiers.error}</label></p>
      <button type="button" @click=${() => this._remove(i)}>${this._text("remove")}<span class="sr-only">: ${title}</span></button>
    </fieldset>`;
  }

  override render() {
    const draft = this._draft;
    if (!this._settings || !draft) return nothing;
    const milestones = this._field("milestones");
    return html`<form class="panel" novalidate @submit=${this._onSave} aria-labelledby="reward-rules-title">
      <h3 id="reward-rules-title">${this._text("title")}</h3>
      <p>${this._text("intro")}</p>
      ${this._problems((n) => this._text("problems", { n }))}
      ${draft.rules.map((rule, i) => this._rule(rule, i))}
      <p><button type="button" @click=${this._add}>${this._text("add")}</button></p>
      ${this._input("monthlyCap", this._text("monthlyCap"), draft.monthlyCap, (value) => {
        this._draft = { ...draft, monthlyCap: value };
      })}
      <p><label>${this._text("milestones")}
        <textarea id="milestones" name="milestones" rows="3" spellcheck="false" .value=${draft.milestones}
          aria-invalid=${milestones.invalid} aria-describedby=${milestones.describedby}
          @input=${(e: Event) => {
            this._draft = { ...draft, milestones: (e.target as HTMLTextAreaElement).value };
          }}></textarea>
        ${milestones.error}</label></p>
      <button type="submit">${this._text("save")}</button>
      ${this._message ? html`<p role="status">${this._message}</p>` : nothing}
    </form>`;
  }
}

customElements.define("chorus-reward-rules-form", ChorusRewardRulesForm);
