/**
 * Team: the workspace's members and open invitations (owners invite, change roles, remove), and
 * the signed-in member's own passkeys (adding one runs WebAuthn in the browser through
 * @simplewebauthn/browser, loaded only when a passkey is added) and own password (the fallback
 * sign-in; setting, changing or removing it ends their other sessions). Loaded lazily by the dashboard.
 */
import { html, nothing } from "lit";
import { ChorusApiError, get, request } from "./api.ts";
import { formatDate } from "./format.ts";
import { DashboardPage } from "./page.ts";
import { can } from "./permissions.ts";
import { teamText } from "./team-strings.ts";
import { dashboardLocale } from "./webhook-strings.ts";

const roles = ["owner", "marketer", "moderator", "finance", "viewer"] as const;
type Member = {
  id: string;
  email: string;
  role: (typeof roles)[number];
  status: "invited" | "active";
  createdAt: string;
};
type Passkey = { id: string; createdAt: string; lastUsedAt: string | null };

export class ChorusPageTeam extends DashboardPage {
  static override properties = {
    ...DashboardPage.properties,
    me: { attribute: false },
    _members: { state: true },
    _passkeys: { state: true },
    _hasPassword: { state: true },
    _message: { state: true },
  };
  /** The signed-in member's id (their own row says "you"); null for the secret key. */
  me: string | null = null;
  private _members: Member[] = [];
  private _passkeys: Passkey[] = [];
  private _hasPassword = false;
  private _message = "";
  private readonly _locale = dashboardLocale();

  private _t(key: Parameters<typeof teamText>[1], vars?: Record<string, string | number>) {
    return teamText(this._locale, key, vars);
  }

  protected async load() {
    await teamText.load(this._locale);
    this._members = (await get<{ items: Member[] }>("/v1/admin/members")).items;
    this._passkeys = this.me ? (await get<{ items: Passkey[] }>("/v1/dashboard/passkeys")).items : [];
    this._hasPassword = this.me ? (await get<{ set: boolean }>("/v1/dashboard/password")).set : false;
  }

  private async _act(work: () => Promise<string>) {
    this._message = "";
    try {
      this._message = await work();
      await this.load();
    } catch (error) {
      this._message = error instanceof Error ? error.message : String(error);
    }
  }

  private _onInvite(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const email = String(data.get("email") ?? "").trim();
    void this._act(async () => {
      await request("POST", "/v1/admin/members", { email, role: data.get("role"), locale: this._locale });
      form.reset();
      return this._t("invitedDone", { email });
    });
  }

  private _onRole(member: Member, role: string) {
    void this._act(async () => {
      await request("PATCH", `/v1/admin/members/${encodeURIComponent(member.id)}`, { role });
      return this._t("roleChanged", { email: member.email, role: this._t(role as Member["role"]) });
    });
  }

  private _onRemove(member: Member) {
    void this._act(async () => {
      await request("DELETE", `/v1/admin/members/${encodeURIComponent(member.id)}`);
      return this._t("removed", { email: member.email });
    });
  }

  private _onAddPasskey() {
    void this._act(async () => {
      const { startRegistration } = await import("@simplewebauthn/browser");
      const { challengeId, options } = await request<{ challengeId: string; options: unknown }>(
        "POST",
        "/v1/dashboard/passkeys/options",
      );
      const response = await startRegistration({ optionsJSON: options as never });
      await request("POST", "/v1/dashboard/passkeys", { challengeId, response });
      return this._t("passkeyAdded");
    });
  }

  private _onPassword(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const password = String(new FormData(form).get("password") ?? "");
    void this._act(async () => {
      try {
        const { endedSessions } = await request<{ endedSessions: number }>("PUT", "/v1/dashboard/password", {
          password,
        });
        form.reset();
        return this._t("passwordSaved", { count: endedSessions });
      } catch (error) {
        // The server's reason is in English: the rule, in the reader's language, says the same.
        if (error instanceof ChorusApiError && error.status === 400) throw new Error(this._t("passwordRules"));
        throw error;
      }
    });
  }

  private _onRemovePassword() {
    void this._act(async () => {
      const { endedSessions } = await request<{ endedSessions: number }>("DELETE", "/v1/dashboard/password");
      return this._t("passwordRemoved", { count: endedSessions });
    });
  }

  private _passwordPanel() {
    return html`<section class="panel" aria-labelledby="password-title">
      <h3 id="password-title">${this._t("password")}</h3>
      <p>${this._hasPassword ? this._t("passwordIsSet") : this._t("noPassword")}</p>
      <p><small>${this._t("passwordHelp")}</small></p>
      <form class="row" @submit=${this._onPassword}>
        <label>${this._t("newPassword")}
          <input name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="256" />
        </label>
        <button type="submit">${this._hasPassword ? this._t("changePassword") : this._t("setPassword")}</button>
        ${this._hasPassword ? html`<button type="button" class="danger" @click=${this._onRemovePassword}>${this._t("removePassword")}</button>` : nothing}
      </form>
    </section>`;
  }

  private _memberRow(member: Member, manage: boolean) {
    return html`<tr>
      <td>${member.email} ${member.id === this.me ? this._t("you") : nothing}</td>
      <td>
        ${
          manage
            ? html`<select aria-label=${`${this._t("role")}: ${member.email}`} @change=${(e: Event) => this._onRole(member, (e.target as HTMLSelectElement).value)}>
                ${roles.map((role) => html`<option value=${role} ?selected=${role === member.role}>${this._t(role)}</option>`)}
              </select>`
            : this._t(member.role)
        }
      </td>
      <td>${this._t(member.status)}</td>
      <td>${manage ? html`<button class="danger" @click=${() => this._onRemove(member)}>${this._t("remove")} <span class="sr-only">${member.email}</span></button>` : nothing}</td>
    </tr>`;
  }

  override render() {
    const manage = can("POST /v1/admin/members");
    return html`<h2>${this._t("title")}</h2>
      ${this.status()}
      ${this._message ? html`<p role="status">${this._message}</p>` : nothing}
      <section class="panel" aria-labelledby="members-title">
        <h3 id="members-title">${this._t("members")}</h3>
        <table>
          <thead><tr><th scope="col">${this._t("email")}</th><th scope="col">${this._t("role")}</th><th scope="col">${this._t("status")}</th><th scope="col"><span class="sr-only">${this._t("remove")}</span></th></tr></thead>
          <tbody>${this._members.map((member) => this._memberRow(member, manage))}</tbody>
        </table>
        <p><small>${this._t("rolesHelp")}</small></p>
      </section>
      ${
        manage
          ? html`<section class="panel" aria-labelledby="invite-title">
              <h3 id="invite-title">${this._t("invite")}</h3>
              <form class="row" @submit=${this._onInvite}>
                <label>${this._t("email")} <input name="email" type="email" required autocomplete="off" /></label>
                <label>${this._t("role")}
                  <select name="role">${roles.map((role) => html`<option value=${role} ?selected=${role === "viewer"}>${this._t(role)}</option>`)}</select>
                </label>
                <button type="submit">${this._t("inviteButton")}</button>
              </form>
            </section>`
          : html`<p>${this._t("ownersOnly")}</p>`
      }
      ${
        this.me
          ? html`<section class="panel" aria-labelledby="passkeys-title">
              <h3 id="passkeys-title">${this._t("passkeys")}</h3>
              ${
                this._passkeys.length === 0
                  ? html`<p>${this._t("noPasskeys")}</p>`
                  : html`<ul>${this._passkeys.map(
                      (p) =>
                        html`<li>${this._t("created", { date: formatDate(p.createdAt) })}, ${p.lastUsedAt ? this._t("lastUsed", { date: formatDate(p.lastUsedAt) }) : this._t("never")}</li>`,
                    )}</ul>`
              }
              <button @click=${this._onAddPasskey}>${this._t("addPasskey")}</button>
            </section>
            ${this._passwordPanel()}`
          : nothing
      }`;
  }
}

customElements.define("chorus-page-team", ChorusPageTeam);

declare global {
  interface HTMLElementTagNameMap {
    "chorus-page-team": ChorusPageTeam;
  }
}
