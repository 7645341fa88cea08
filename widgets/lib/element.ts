/**
 * The base of every Chorus element: theme and language attributes, and translation that follows
 * the element's `lang`, else the nearest `lang` in the page.
 */
import { LitElement } from "lit";
import { type Loadable, type Locale, type MessageKey, messages, resolveLocale } from "./i18n.ts";

/**
 * What every element takes and reads (the README's Theming section).
 *
 * @attr theme - `light` (default), `dark` or `auto` (follows the reader's system)
 * @attr lang - `en` or `hi`; otherwise the nearest `lang` in the page
 * @cssprop --chorus-accent - buttons, links, badges and the focus ring
 * @cssprop --chorus-accent-text - text on the accent colour
 * @cssprop --chorus-background - the element's background
 * @cssprop --chorus-text - text
 * @cssprop --chorus-muted - secondary text
 * @cssprop --chorus-border - borders
 * @cssprop --chorus-surface - panels inside the element
 * @cssprop --chorus-radius - corner radius
 * @cssprop --chorus-font - font family
 * @cssprop --chorus-font-size - base font size
 */
export class ChorusElement extends LitElement {
  static override properties = {
    theme: { type: String, reflect: true },
    lang: { type: String },
  };

  /** `light`, `dark` or `auto` (follows the reader's system setting). */
  declare theme: "light" | "dark" | "auto";

  /** The catalogs the element's text comes from (see i18n.ts). @internal */
  static catalogs: Loadable[] = [messages];

  constructor() {
    super();
    this.theme = "light";
  }

  /**
   * An element that speaks Hindi waits for its catalogs' Hindi strings before rendering, so it
   * never shows English first: until then it keeps its reserved space (each element's `:host`
   * has the loader's min-height) and renders nothing new. English elements render at once.
   */
  protected override scheduleUpdate() {
    const locale = this.locale;
    const loading = (this.constructor as typeof ChorusElement).catalogs.flatMap((c) => c.load(locale) ?? []);
    return loading.length ? Promise.all(loading).then(() => super.scheduleUpdate()) : super.scheduleUpdate();
  }

  get locale(): Locale {
    return resolveLocale(this.lang || this.closest("[lang]")?.getAttribute("lang") || navigator.language);
  }

  protected t(key: MessageKey, vars?: Record<string, string | number>): string {
    return messages(this.locale, key, vars);
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
