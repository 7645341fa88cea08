/**
 * The hosted advocate page's settings as a form on the settings page: its address (`slug`) and
 * who may sign in (`advocateSignIn`). Saved with `PATCH /v1/admin/program`; what is wrong is said
 * beside its field (checked here first, then by the server: a slug another workspace uses comes
 * back as a conflict), and once saved the page's address is shown as a link.
 */
import { html, nothing } from "lit";
import type { Settings } from "../lib/api-types.ts";
import { ChorusApiError, request } from "./api.ts";
import { type HostedPageKey, hostedPageText } from "./hosted-page-strings.ts";
import { SettingsForm } from "./settings-form.ts";

type Field = "slug" | "domains";
type Policy = Settings["advocateSignIn"]["policy"];

const slugPattern = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,39}$/;
const domainPattern = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export class ChorusHostedPageForm extends SettingsForm<Field> {
  protected readonly problemsId = "hosted-page-problems";

  protected loadStrings() {
    return hostedPageText.load(this._locale);
  }

  private _text(key: HostedPageKey, vars?: Record<string, string | number>) {
    return hostedPageText(this._locale, key, vars);
  }

  private _pageUrl(slug: string) {
    return `${location.origin}/p/${slug}`;
  }

  private async _onSave(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
    const slug = field("slug").value.trim().toLowerCase();
    const policy = (form.querySelector<HTMLInputElement>("input[name=policy]:checked")?.value ?? "known") as Policy;
    const domains = field("domains")
      .value.split(/[\s,;]+/)
      .map((domain) => domain.trim().toLowerCase())
      .filter(Boolean);
    const errors: Partial<Record<Field, string>> = {};
    if (slug && !slugPattern.test(slug)) errors.slug = this._text("badSlug");
    const wrong = domains.find((domain) => !domainPattern.test(domain));
    if (wrong) errors.domains = this._text("badDomain", { domain: wrong });
    else if (policy === "domains" && domains.length === 0) errors.domains = this._text("needDomains");
    this._errors = errors;
    this._message = "";
    if (Object.keys(errors).length === 0) {
      try {
        this._settings = await request<Settings>("PATCH", "/v1/admin/program", {
          slug: slug || null,
          advocateSignIn: { policy, domains },
        });
        this._message = slug ? this._text("saved", { url: this._pageUrl(slug) }) : this._text("savedOff");
        return;
      } catch (error) {
        const failure = error instanceof ChorusApiError ? error : null;
        for (const detail of failure?.details ?? []) {
          const name: Field | null = detail.path?.startsWith("slug")
            ? "slug"
            : detail.path?.startsWith("advocateSignIn")
              ? "domains"
              : null;
          if (name) this._errors = { ...this._errors, [name]: detail.message ?? this._text("invalid") };
        }
        // A slug another workspace holds is a conflict naming no field.
        if (failure?.code === "conflict") this._errors = { ...this._errors, slug: failure.message };
        if (Object.keys(this._errors).length === 0) this._message = failure?.message ?? String(error);
      }
    }
    await this._focusProblems();
  }

  override render() {
    const s = this._settings;
    if (!s) return nothing;
    const slug = this._field("slug");
    const domains = this._field("domains");
    const { policy } = s.advocateSignIn;
    return html`<form class="panel" novalidate @submit=${this._onSave} aria-labelledby="hosted-page-title">
      <h3 id="hosted-page-title">${this._text("title")}</h3>
      <p>${this._text("intro")}</p>
      ${this._problems((n) => this._text("problems", { n }))}
      <p>
        <label>${this._text("slug")}
          <input id="slug" name="slug" maxlength="40" spellcheck="false" autocomplete="off" .value=${s.slug ?? ""}
            aria-invalid=${slug.invalid} aria-describedby=${slug.describedby} />
          ${slug.error}</label>
        ${s.slug ? html`<a href=${this._pageUrl(s.slug)} target="_blank" rel="noopener">${this._text("open")}</a>` : nothing}
      </p>
      <fieldset>
        <legend>${this._text("policy")}</legend>
        ${(["known", "domains", "anyone"] as const).map(
          (option) =>
            html`<p><label><input type="radio" name="policy" value=${option} ?checked=${policy === option} />
              ${this._text(option)}</label></p>`,
        )}
        <label>${this._text("domainList")}
          <textarea id="domains" name="domains" rows="3" spellcheck="false" .value=${s.advocateSignIn.domains.join("\n")}
            aria-invalid=${domains.invalid} aria-describedby=${domains.describedby}></textarea>
          ${domains.error}</label>
      </fieldset>
      <button type="submit">${this._text("save")}</button>
      ${this._message ? html`<p role="status">${this._message}</p>` : nothing}
    </form>`;
  }
}

customElements.define("chorus-hosted-page-form", ChorusHostedPageForm);
