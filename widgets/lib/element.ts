/**
 * The base of every Chorus element: theme and language attributes, and translation that follows
 * the element's `lang`, else the nearest `lang` in the page.
 */
import { LitElement } from "lit";
import { type Locale, type MessageKey, resolveLocale, translate } from "./i18n.ts";

export class ChorusElement extends LitElement {
  static override properties = {
    theme: { type: String, reflect: true },
    lang: { type: String },
  };

  /** `light`, `dark` or `auto` (follows the reader's system setting). */
  declare theme: "light" | "dark" | "auto";

  constructor() {
    super();
    this.theme = "light";
  }

  protected get locale(): Locale {
    return resolveLocale(this.lang || this.closest("[lang]")?.getAttribute("lang") || navigator.language);
  }

  protected t(key: MessageKey, vars?: Record<string, string | number>): string {
    return translate(this.locale, key, vars);
  }

  /** Events cross the shadow boundary so the host page can listen on any ancestor. */
  protected emit(name: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}

/** Defines an element once, even if the loader runs twice on a page. */
export function define(tag: string, element: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, element);
}
