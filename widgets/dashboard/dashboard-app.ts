/**
 * `<chorus-dashboard>`: the team's single-page app at /dashboard. Members sign in with a passkey
 * (WebAuthn through @simplewebauthn/browser, loaded only when used), a one-time link from email
 * (`#link=TOKEN`, read from the fragment so it never reaches a server log) or, as the last
 * fallback, their password, for an HttpOnly session
 * cookie; pages are addressed by the URL hash so the server serves one file. What the member's
 * role cannot do is hidden or disabled (the server decides regardless).
 */
import { css, html, LitElement, nothing } from "lit";
import type { Breakdown, CourseList, SessionInfo } from "../lib/api-types.ts";
import { ChorusApiError, get, query, request } from "./api.ts";
import { exportLinks, exportStyles } from "./export-links.ts";
import { defaultRange } from "./format.ts";
import type { Filter } from "./page.ts";
import "./page-overview.ts";
import "./page-advocates.ts";
import "./page-courses.ts";
import "./page-stories.ts";
import "./page-rewards.ts";
import "./page-conversions.ts";
import "./page-integrations.ts";
import "./page-webhooks.ts";
import "./page-mail.ts";
import "./page-payouts.ts";
import "./page-settings.ts";
import "./page-audit.ts";
import "./page-review.ts";
import { type PageName, pages } from "./pages.ts";
import { can, setAllowed } from "./permissions.ts";
import { dashboardStyles } from "./styles.ts";
import { teamText } from "./team-strings.ts";
import { dashboardLocale } from "./webhook-strings.ts";

function routeFromHash(): PageName {
  const name = location.hash.replace(/^#\/?/, "");
  return (pages.find(([key]) => key === name)?.[0] ?? "overview") as PageName;
}

export class ChorusDashboard extends LitElement {
  static override styles = [
    dashboardStyles,
    exportStyles,
    css`
      :host {
        min-height: 100vh;
        background: var(--page);
      }
      header {
        background: var(--panel);
        border-bottom: 1px solid var(--line);
        padding: 0.75rem 1rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: center;
        justify-content: space-between;
      }
      header strong {
        font-size: 1.1rem;
      }
      nav ul {
        list-style: none;
        margin: 0;
        padding: 0.5rem 1rem;
        display: flex;
        gap: 0.25rem;
        overflow-x: auto;
        background: var(--panel);
        border-bottom: 1px solid var(--line);
      }
      nav a {
        display: inline-block;
        padding: 0.4rem 0.7rem;
        border-radius: 6px;
        text-decoration: none;
        white-space: nowrap;
      }
      nav a[aria-current="page"] {
        background: var(--accent);
        color: var(--accent-ink);
      }
      main {
        padding: 1rem;
        max-width: 1200px;
        margin: 0 auto;
      }
      .signin {
        max-width: 420px;
        margin: 10vh auto;
      }
      .signin form {
        display: grid;
        gap: 0.75rem;
      }
      .signin input {
        width: 100%;
      }
      .filters {
        margin-bottom: 1rem;
      }
    `,
  ];
  static override properties = {
    _session: { state: true },
    _checking: { state: true },
    _route: { state: true },
    _filter: { state: true },
    _courses: { state: true },
    _signInError: { state: true },
    _signInNote: { state: true },
    _busy: { state: true },
  };

  private _session: SessionInfo | null = null;
  private _checking = true;
  private _route: PageName = routeFromHash();
  private _filter: Filter = { ...defaultRange(), course: "" };
  private _courses: string[] = [];
  private _signInError = "";
  private _signInNote = "";
  private _busy = false;
  private readonly _locale = dashboardLocale();

  private readonly _onHash = () => {
    if (location.hash.startsWith("#link=")) void this._useLink();
    else this._route = routeFromHash();
  };
  private readonly _onSignedOut = () => {
    this._session = null;
  };

  override connectedCallback() {
    super.connectedCallback();
    window.addEventListener("hashchange", this._onHash);
    window.addEventListener("chorus-signed-out", this._onSignedOut);
    void this._checkSession();
  }

  override disconnectedCallback() {
    window.removeEventListener("hashchange", this._onHash);
    window.removeEventListener("chorus-signed-out", this._onSignedOut);
    super.disconnectedCallback();
  }

  private _t(key: Parameters<typeof teamText>[1]) {
    return teamText(this._locale, key);
  }

  private async _checkSession() {
    await teamText.load(this._locale);
    if (location.hash.startsWith("#link=")) return this._useLink();
    try {
      this._signedIn(await get<SessionInfo>("/v1/dashboard/session"));
    } catch {
      this._session = null;
    } finally {
      this._checking = false;
    }
  }

  private async _loadCourses() {
    try {
      const courses = await get<CourseList>("/v1/admin/courses");
      const to = new Date().toISOString().slice(0, 10);
      const from = new Date(Date.now() - 730 * 86_400_000).toISOString().slice(0, 10);
      const seen = await get<Breakdown>(
        `/v1/analytics/breakdown${query({ dimension: "course", from, to, limit: 1000 })}`,
      );
      const slugs = new Set([...courses.items.map((c) => c.slug), ...seen.items.map((c) => c.key ?? "")]);
      slugs.delete("");
      this._courses = [...slugs].sort();
    } catch {
      this._courses = [];
    }
  }

  private _signedIn(session: SessionInfo) {
    setAllowed(session.permissions);
    this._session = session;
    void this._loadCourses();
  }

  /** A one-time link (`#link=TOKEN`): used once, then gone from the address bar and history. */
  private async _useLink() {
    const token = location.hash.slice("#link=".length);
    history.replaceState(null, "", `${location.pathname}${location.search}#/overview`);
    this._route = "overview";
    this._checking = true;
    try {
      await request("POST", "/v1/dashboard/links/use", { token });
      this._signedIn(await get<SessionInfo>("/v1/dashboard/session"));
    } catch {
      this._session = null;
      this._signInError = this._t("linkFailed");
    } finally {
      this._checking = false;
    }
  }

  private async _onPasskey() {
    this._busy = true;
    this._signInError = "";
    try {
      const { startAuthentication } = await import("@simplewebauthn/browser");
      const { challengeId, options } = await request<{ challengeId: string; options: unknown }>(
        "POST",
        "/v1/dashboard/passkey/options",
      );
      const response = await startAuthentication({ optionsJSON: options as never });
      await request("POST", "/v1/dashboard/passkey", { challengeId, response });
      this._signedIn(await get<SessionInfo>("/v1/dashboard/session"));
    } catch (error) {
      this._signInError =
        error instanceof ChorusApiError && error.status === 429 ? error.message : this._t("passkeyFailed");
    } finally {
      this._busy = false;
    }
  }

  private async _onEmailLink(event: SubmitEvent) {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem("email") as HTMLInputElement;
    this._busy = true;
    this._signInError = "";
    this._signInNote = "";
    try {
      await request("POST", "/v1/dashboard/links", { email: input.value.trim(), locale: this._locale });
      this._signInNote = this._t("emailSent");
    } catch (error) {
      this._signInError = error instanceof Error ? error.message : String(error);
    } finally {
      this._busy = false;
    }
  }

  private async _onPassword(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    this._busy = true;
    this._signInError = "";
    this._signInNote = "";
    try {
      await request("POST", "/v1/dashboard/password/sign-in", {
        email: String(data.get("email") ?? "").trim(),
        password: String(data.get("password") ?? ""),
      });
      form.reset();
      this._signedIn(await get<SessionInfo>("/v1/dashboard/session"));
    } catch (error) {
      this._signInError =
        error instanceof ChorusApiError && error.status === 429 ? error.message : this._t("passwordFailed");
    } finally {
      this._busy = false;
    }
  }

  private async _onSignOut() {
    try {
      await request("DELETE", "/v1/dashboard/session");
    } finally {
      this._session = null;
    }
  }

  private _onFilter(event: SubmitEvent) {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    this._filter = {
      from: String(data.get("from") ?? ""),
      to: String(data.get("to") ?? ""),
      course: String(data.get("course") ?? ""),
    };
  }

  private _signIn() {
    return html`<main lang=${this._locale}>
      <section class="panel signin" aria-labelledby="signin-title">
        <h1 id="signin-title">${this._t("signInTitle")}</h1>
        <p>${this._t("signInIntro")}</p>
        ${this._signInError ? html`<p class="error" role="alert">${this._signInError}</p>` : nothing}
        <button type="button" @click=${this._onPasskey} ?disabled=${this._busy}>${this._t("passkey")}</button>
        <form @submit=${this._onEmailLink}>
          <label>
            ${this._t("emailLabel")}
            <input name="email" type="email" autocomplete="username webauthn" required spellcheck="false" />
          </label>
          <button type="submit" class="secondary" ?disabled=${this._busy}>${this._t("emailButton")}</button>
          ${this._signInNote ? html`<p role="status">${this._signInNote}</p>` : nothing}
        </form>
        <form @submit=${this._onPassword} aria-labelledby="password-title">
          <h2 id="password-title">${this._t("passwordTitle")}</h2>
          <label>
            ${this._t("passwordEmailLabel")}
            <input name="email" type="email" autocomplete="username" required spellcheck="false" />
          </label>
          <label>
            ${this._t("passwordLabel")}
            <input name="password" type="password" autocomplete="current-password" required maxlength="1024" />
          </label>
          <button type="submit" class="secondary" ?disabled=${this._busy}>${this._t("passwordButton")}</button>
        </form>
        <p><small>${this._t("noAccount")}</small></p>
      </section>
    </main>`;
  }

  private _page() {
    const filter = this._filter;
    switch (this._route) {
      case "advocates":
        return html`<chorus-page-advocates .filter=${filter}></chorus-page-advocates>`;
      case "courses":
        return html`<chorus-page-courses .filter=${filter}></chorus-page-courses>`;
      case "stories":
        return html`<chorus-page-stories .filter=${filter}></chorus-page-stories>`;
      case "rewards":
        return html`<chorus-page-rewards .filter=${filter}></chorus-page-rewards>`;
      case "conversions":
        return html`<chorus-page-conversions .filter=${filter}></chorus-page-conversions>`;
      case "integrations":
        return html`<chorus-page-integrations .filter=${filter}></chorus-page-integrations>`;
      case "webhooks":
        return html`<chorus-page-webhooks .filter=${filter}></chorus-page-webhooks>`;
      case "mail":
        return html`<chorus-page-mail .filter=${filter}></chorus-page-mail>`;
      case "review":
        return html`<chorus-page-review .filter=${filter}></chorus-page-review>`;
      case "audit":
        return html`<chorus-page-audit .filter=${filter}></chorus-page-audit>`;
      case "payouts":
        return html`<chorus-page-payouts .filter=${filter}></chorus-page-payouts>`;
      case "settings":
        return html`<chorus-page-settings .filter=${filter}></chorus-page-settings>`;
      case "team":
        // The Team page (and WebAuthn registration) load only when opened.
        void import("./page-team.ts");
        return html`<chorus-page-team .filter=${filter} .me=${this._session?.member?.id ?? null}></chorus-page-team>`;
      default:
        return html`<chorus-page-overview .filter=${filter}></chorus-page-overview>`;
    }
  }

  override render() {
    if (this._checking) return html`<main><p role="status">Loading…</p></main>`;
    if (!this._session) return this._signIn();
    const withFilter = ![
      "rewards",
      "payouts",
      "review",
      "audit",
      "integrations",
      "webhooks",
      "mail",
      "settings",
      "conversions",
      "team",
    ].includes(this._route);
    return html`<header>
        <strong>Chorus · ${this._session.workspace.name}</strong>
        ${this._session.member ? html`<span>${this._session.member.email} · ${this._t(this._session.member.role)}</span>` : nothing}
        <button class="secondary" @click=${this._onSignOut}>Sign out</button>
      </header>
      <nav aria-label="Dashboard">
        <ul>
          ${pages.map(
            ([key, label]) =>
              html`<li><a href=${`#/${key}`} aria-current=${key === this._route ? "page" : "false"}>${label}</a></li>`,
          )}
        </ul>
      </nav>
      <main>
        ${
          withFilter
            ? html`<form class="panel row filters" @submit=${this._onFilter} aria-label="Period and course">
                <label>From <input type="date" name="from" .value=${this._filter.from} required /></label>
                <label>To <input type="date" name="to" .value=${this._filter.to} required /></label>
                <label>
                  Course
                  <select name="course">
                    <option value="">All courses</option>
                    ${this._courses.map((slug) => html`<option value=${slug} ?selected=${slug === this._filter.course}>${slug}</option>`)}
                  </select>
                </label>
                <button type="submit">Apply</button>
              </form>
              ${can("GET /v1/analytics/export.csv") ? exportLinks(this._filter) : nothing}`
            : nothing
        }
        ${this._page()}
      </main>`;
  }
}

customElements.define("chorus-dashboard", ChorusDashboard);

declare global {
  interface HTMLElementTagNameMap {
    "chorus-dashboard": ChorusDashboard;
  }
}
