/**
 * Integrations: each connector's URL to paste (its token shown once, with a new URL on demand),
 * whether a signature is checked, its course map, its last events and their outcome, a test
 * with a sample (stores nothing), and the custom mapping editor tested before it is saved.
 */
import { html, nothing } from "lit";
import type { ConnectorView, IntegrationEventView } from "../lib/api-types.ts";
import { ChorusApiError, get, request } from "./api.ts";
import { formatDate } from "./format.ts";
import { integrationSamples, sampleMapping } from "./integration-samples.ts";
import { integrationText } from "./integration-strings.ts";
import { DashboardPage } from "./page.ts";
import { dashboardLocale } from "./webhook-strings.ts";

type TestAnswer = {
  outcome: "conversion" | "ignored" | "invalid";
  eventType: string;
  detail?: string;
  conversion?: { type: string; course?: string; amount?: number; currency?: string; code?: string; clickId?: string };
};

const platforms = ["teachable", "thinkific", "kajabi", "custom"] as const;

/** `1234 = data-analytics` lines → a course map. */
function parseCourses(text: string): Record<string, string> {
  const courses: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const [id, slug] = line.split("=").map((part) => part.trim());
    if (id && slug) courses[id] = slug;
  }
  return courses;
}
const coursesText = (courses: Record<string, string>) =>
  Object.entries(courses)
    .map(([id, slug]) => `${id} = ${slug}`)
    .join("\n");

export class ChorusPageIntegrations extends DashboardPage {
  static override properties = {
    ...DashboardPage.properties,
    _items: { state: true },
    _open: { state: true },
    _events: { state: true },
    _notice: { state: true },
    _shownUrl: { state: true },
    _platform: { state: true },
    _test: { state: true },
  };
  private _items: ConnectorView[] | null = null;
  /** The connector whose events, course map and test are shown. */
  private _open: ConnectorView | null = null;
  private _events: IntegrationEventView[] | null = null;
  private _notice = "";
  /** A full URL with its token, shown once after creating or rotating. */
  private _shownUrl = "";
  /** The platform chosen in the add form (the custom fields show only for `custom`). */
  private _platform: (typeof platforms)[number] = "teachable";
  private _test = "";
  private readonly _locale = dashboardLocale();

  protected async load() {
    await integrationText.load(this._locale);
    this._items = (await get<{ items: ConnectorView[] }>("/v1/admin/integrations")).items;
  }

  private _t(key: Parameters<typeof integrationText>[1], vars?: Record<string, string | number>) {
    return integrationText(this._locale, key, vars);
  }

  private _fail(error: unknown) {
    this._notice = error instanceof ChorusApiError ? error.message : String(error);
  }

  private async _showEvents(connector: ConnectorView) {
    this._open = connector;
    this._events = null;
    this._test = "";
    this._events = (
      await get<{ items: IntegrationEventView[] }>(`/v1/admin/integrations/${encodeURIComponent(connector.id)}/events`)
    ).items;
  }

  private async _rotate(connector: ConnectorView) {
    try {
      const rotated = await request<ConnectorView & { token: string }>(
        "POST",
        `/v1/admin/integrations/${encodeURIComponent(connector.id)}/rotate`,
      );
      this._shownUrl = `${location.origin}${rotated.path}?token=${rotated.token}`;
    } catch (error) {
      this._fail(error);
    }
  }

  private async _remove(connector: ConnectorView) {
    try {
      await request("DELETE", `/v1/admin/integrations/${encodeURIComponent(connector.id)}`);
      if (this._open?.id === connector.id) this._open = null;
      await this.load();
      this._notice = this._t("removed", { name: connector.name });
    } catch (error) {
      this._fail(error);
    }
  }

  /** The JSON in a textarea, or null (having said which field is not JSON). */
  private _json(data: FormData, field: string, label: string): unknown | null {
    try {
      return JSON.parse(String(data.get(field) ?? ""));
    } catch {
      this._test = this._t("notJson", { field: label });
      return null;
    }
  }

  private _describe(answer: TestAnswer) {
    if (answer.outcome === "conversion" && answer.conversion) {
      const c = answer.conversion;
      const parts = [
        c.type,
        c.course,
        c.amount !== undefined ? `${c.amount} ${c.currency} (minor units)` : "",
        c.code ? `code ${c.code}` : "",
        c.clickId ? `click ${c.clickId}` : "",
      ];
      return this._t("wouldRecord", { summary: parts.filter(Boolean).join(", ") });
    }
    const key = answer.outcome === "ignored" ? "wouldIgnore" : "wouldRefuse";
    return this._t(key, { eventType: answer.eventType, detail: answer.detail ?? "" });
  }

  private async _runTest(body: Record<string, unknown>) {
    try {
      this._test = this._describe(await request<TestAnswer>("POST", "/v1/admin/integrations/test", body));
    } catch (error) {
      this._test = error instanceof ChorusApiError ? error.message : String(error);
    }
  }

  /** The add form's connector, from its fields. */
  private _settings(data: FormData): Record<string, unknown> | null {
    const platform = String(data.get("platform"));
    const settings: Record<string, unknown> = { platform, courses: parseCourses(String(data.get("courses") ?? "")) };
    const name = String(data.get("name") ?? "").trim();
    if (name) settings.name = name;
    const currency = String(data.get("currency") ?? "")
      .trim()
      .toUpperCase();
    if (currency) settings.currency = currency;
    const secret = String(data.get("signingSecret") ?? "");
    if (secret) settings.signingSecret = secret;
    if (platform === "custom") {
      const mapping = this._json(data, "mapping", this._t("mapping"));
      if (mapping === null) return null;
      settings.mapping = mapping;
      const header = String(data.get("header") ?? "").trim();
      if (header)
        settings.signature = {
          header,
          algorithm: String(data.get("algorithm")),
          encoding: String(data.get("encoding")),
          prefix: String(data.get("prefix") ?? ""),
        };
    }
    return settings;
  }

  private async _testNew(event: Event) {
    const form = (event.target as HTMLElement).closest("form") as HTMLFormElement;
    const data = new FormData(form);
    const settings = this._settings(data);
    const sample = this._json(data, "sample", this._t("sample"));
    if (!settings || sample === null) return;
    await this._runTest({
      platform: settings.platform,
      ...(settings.mapping ? { mapping: settings.mapping } : {}),
      courses: settings.courses,
      ...(settings.currency ? { currency: settings.currency } : {}),
      sample,
    });
  }

  private async _add(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const settings = this._settings(new FormData(form));
    if (!settings) return;
    try {
      const created = await request<ConnectorView & { token: string }>("POST", "/v1/admin/integrations", settings);
      this._shownUrl = `${location.origin}${created.path}?token=${created.token}`;
      this._test = "";
      await this.load();
    } catch (error) {
      this._test = error instanceof ChorusApiError ? error.message : String(error);
    }
  }

  private async _saveCourses(event: SubmitEvent) {
    event.preventDefault();
    if (!this._open) return;
    const data = new FormData(event.target as HTMLFormElement);
    try {
      this._open = await request<ConnectorView>(
        "PATCH",
        `/v1/admin/integrations/${encodeURIComponent(this._open.id)}`,
        {
          courses: parseCourses(String(data.get("courses") ?? "")),
        },
      );
      await this.load();
      this._notice = this._t("saved");
    } catch (error) {
      this._fail(error);
    }
  }

  private async _testOpen(event: Event) {
    if (!this._open) return;
    const form = (event.target as HTMLElement).closest("form") as HTMLFormElement;
    const sample = this._json(new FormData(form), "sample", this._t("sample"));
    if (sample === null) return;
    const open = this._open;
    await this._runTest({
      platform: open.platform,
      ...(open.mapping ? { mapping: open.mapping } : {}),
      courses: open.courses,
      ...(open.currency ? { currency: open.currency } : {}),
      sample,
    });
  }

  private _addForm() {
    const custom = this._platform === "custom";
    const signs = custom || this._platform === "thinkific";
    return html`<form class="panel" @submit=${this._add} aria-labelledby="add-connector">
      <h3 id="add-connector">${this._t("addTitle")}</h3>
      <p><label>${this._t("platform")}
        <select name="platform" @change=${(e: Event) => {
          this._platform = (e.target as HTMLSelectElement).value as (typeof platforms)[number];
        }}>${platforms.map((p) => html`<option value=${p} ?selected=${p === this._platform}>${p}</option>`)}</select></label></p>
      <p><label>${this._t("name")} <input name="name" maxlength="100" /></label></p>
      ${signs ? html`<p><label>${this._t("signingSecret")} <input name="signingSecret" type="password" autocomplete="off" ?required=${this._platform === "thinkific"} minlength="8" maxlength="500" /></label></p>` : nothing}
      <p><label>${this._t("currency")} <input name="currency" maxlength="3" pattern="[A-Za-z]{3}" /></label></p>
      <p><label>${this._t("courses")} <small>${this._t("coursesHint")}</small><br />
        <textarea name="courses" rows="3" cols="40"></textarea></label></p>
      ${
        custom
          ? html`<p><label>${this._t("mapping")}<br /><textarea name="mapping" rows="10" cols="60">${JSON.stringify(sampleMapping, null, 2)}</textarea></label></p>
            <p><label>${this._t("signatureHeader")} <input name="header" maxlength="100" /></label>
              <label>${this._t("algorithm")} <select name="algorithm"><option>sha256</option><option>sha1</option></select></label>
              <label>${this._t("encoding")} <select name="encoding"><option>hex</option><option>base64</option></select></label>
              <label>${this._t("prefix")} <input name="prefix" maxlength="40" /></label></p>`
          : nothing
      }
      <p><label>${this._t("sample")}<br /><textarea name="sample" rows="8" cols="60">${JSON.stringify(integrationSamples[this._platform], null, 2)}</textarea></label></p>
      <div class="row">
        <button type="button" class="secondary" @click=${this._testNew}>${this._t("test")}</button>
        <button type="submit">${this._t("add")}</button>
      </div>
      <small>${this._t("testNothingStored")}</small>
      ${this._open ? nothing : html`<p role="status">${this._test}</p>`}
    </form>`;
  }

  private _detail() {
    const open = this._open;
    if (!open) return nothing;
    const rows = this._events;
    return html`<section class="panel" aria-labelledby="events-title">
      <h3 id="events-title">${this._t("eventsOf", { name: open.name })}</h3>
      <button class="secondary" @click=${() => {
        this._open = null;
      }}>${this._t("close")}</button>
      ${rows === null ? html`<p role="status">Loading…</p>` : nothing}
      ${rows?.length === 0 ? html`<p class="empty">${this._t("noEvents")}</p>` : nothing}
      ${
        rows?.length
          ? html`<div class="table-wrap" tabindex="0"><table>
              <caption class="sr-only">${this._t("eventsOf", { name: open.name })}</caption>
              <thead><tr><th scope="col">${this._t("received")}</th><th scope="col">${this._t("eventType")}</th><th scope="col">${this._t("outcome")}</th><th scope="col">${this._t("detail")}</th></tr></thead>
              <tbody>${rows.map(
                (row) => html`<tr><td>${formatDate(row.receivedAt)}</td><th scope="row">${row.eventType}</th>
                  <td>${this._t(row.outcome)}</td><td>${row.detail}${row.conversionId ? html` <code>${row.conversionId}</code>` : nothing}</td></tr>`,
              )}</tbody></table></div>`
          : nothing
      }
      <form @submit=${this._saveCourses} aria-label=${this._t("courses")}>
        <p><label>${this._t("courses")} <small>${this._t("coursesHint")}</small><br />
          <textarea name="courses" rows="3" cols="40" .value=${coursesText(open.courses)}></textarea></label></p>
        <button type="submit">${this._t("saveCourses")}</button>
      </form>
      <form aria-label=${this._t("test")}>
        <p><label>${this._t("sample")}<br /><textarea name="sample" rows="8" cols="60">${JSON.stringify(integrationSamples[open.platform], null, 2)}</textarea></label></p>
        <button type="button" @click=${this._testOpen}>${this._t("test")}</button>
        <small>${this._t("testNothingStored")}</small>
        <p role="status">${this._test}</p>
      </form>
    </section>`;
  }

  override render() {
    return html`<h2>${this._t("title")}</h2>
      <p>${this._t("intro")}</p>
      <p role="status">${this._notice}</p>
      ${this._shownUrl ? html`<p class="notice" role="status">${this._t("tokenShown")}<br /><code>${this._shownUrl}</code></p>` : nothing}
      ${this.status()}
      ${this._items?.length === 0 ? html`<p class="empty">${this._t("none")}</p>` : nothing}
      ${
        this._items?.length
          ? html`<div class="panel table-wrap" tabindex="0"><table>
              <caption class="sr-only">${this._t("title")}</caption>
              <thead><tr><th scope="col">${this._t("name")}</th><th scope="col">${this._t("platform")}</th><th scope="col">${this._t("url")}</th><th scope="col">${this._t("signed")}</th><th scope="col">${this._t("courses")}</th><th scope="col"><span class="sr-only">${this._t("actions")}</span></th></tr></thead>
              <tbody>${this._items.map(
                (c) => html`<tr><th scope="row">${c.name}</th><td>${c.platform}</td>
                  <td><code>${location.origin}${c.path}?token=…</code></td>
                  <td>${c.signed ? this._t("yes") : this._t("no")}</td>
                  <td>${Object.keys(c.courses).length}</td>
                  <td class="row">
                    <button @click=${() => this._showEvents(c)} aria-label=${this._t("eventsOf", { name: c.name })}>${this._t("events")}</button>
                    <button class="secondary" @click=${() => this._rotate(c)} aria-label=${this._t("rotateOf", { name: c.name })}>${this._t("rotate")}</button>
                    <button class="secondary" @click=${() => this._remove(c)} aria-label=${this._t("removeOf", { name: c.name })}>${this._t("remove")}</button>
                  </td></tr>`,
              )}</tbody></table></div>`
          : nothing
      }
      ${this._detail()}
      ${this._addForm()}`;
  }
}

customElements.define("chorus-page-integrations", ChorusPageIntegrations);
