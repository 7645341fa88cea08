/**
 * Hostile text for browser tests: XSS payloads of every common family, a canary that any payload
 * that runs would trip, and a scan for markup that a payload could have injected. Every payload
 * calls `alert`, `confirm`, `prompt`, `print` or sets `window.__xss`; the canary init script turns
 * all of them into a counter, so "nothing ran" is one number (`window.__xss === 0`).
 */
import type { BrowserContext, Frame, Page } from "playwright-core";

const run = "alert(1)";
const flag = "window.__xss=1";

/** A few dozen payloads: tags, handlers, URLs, template and binding syntax, breakouts, odd text. */
export const xssPayloads: readonly string[] = [
  `<script>${run}</script>`,
  `<script>${flag}</script>`,
  `<SCRIPT SRC=//127.0.0.1:9/x.js></SCRIPT>`,
  `<scr<script>ipt>${run}</scr</script>ipt>`,
  `<img src=x onerror=${run}>`,
  `<img src="x" onerror="${flag}">`,
  `<img/src=x/onerror=${flag}>`,
  `<svg onload=${run}>`,
  `<svg><script>${flag}</script></svg>`,
  `<svg><a xlink:href="javascript:${run}"><text y="20">x</text></a></svg>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=${run}>`,
  `<iframe src="javascript:${run}"></iframe>`,
  `<iframe srcdoc="<script>parent.${flag}</script>"></iframe>`,
  `<body onload=${run}>`,
  `<details open ontoggle=${run}>`,
  `<input autofocus onfocus=${run}>`,
  `<video><source onerror=${run}></video>`,
  `<audio src=x onerror=${run}>`,
  `<object data="javascript:${run}"></object>`,
  `<embed src="javascript:${run}">`,
  `<base href="javascript:${run}//">`,
  `<meta http-equiv="refresh" content="0;url=javascript:${run}">`,
  `<form action="javascript:${run}"><button>go</button></form>`,
  `<a href="javascript:${run}">click me</a>`,
  `javascript:${run}`,
  `JaVaScRiPt:${flag}`,
  `data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==`,
  `"><script>${run}</script>`,
  `'><img src=x onerror=${run}>`,
  `" onmouseover="${run}" autofocus onfocus="${run}" x="`,
  `' onfocus='${run}' autofocus x='`,
  `</textarea><img src=x onerror=${run}>`,
  `</title><script>${run}</script>`,
  `</script><script>${run}</script>`,
  `"}]}</script><script>${flag}</script>`,
  `<!--<img src="--><img src=x onerror=${run}//">`,
  `<noscript><p title="</noscript><img src=x onerror=${run}>">`,
  `<template><img src=x onerror=${run}></template>`,
  `<![CDATA[<script>${run}</script>]]>`,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: template syntax as text is the payload
  "${alert(1)}",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: template syntax as text is the payload
  "`${window.__xss=1}`",
  `{{constructor.constructor('${run}')()}}`,
  "{{7*7}} [[7*7]] <%= 7*7 %> #{7*7}",
  `<!--?lit$123456789$--><img src=x onerror=${run}>`,
  `<x-el @click=\${${run}} .innerHTML="<img src=x onerror=${run}>"></x-el>`,
  `</style><script>${run}</script>`,
  `red;}</style><style>*{background:url("javascript:${run}")}</style>`,
  `x{} * { behavior: url(x.htc); -moz-binding: url(x.xml#x); background: expression(${run}) }`,
  `&lt;script&gt;${run}&lt;/script&gt; &amp; &#60;img src=x onerror=${run}&#62; &#x3C;b&#x3E;`,
  `+ADw-script+AD4-${run}+ADw-/script+AD4-`,
  `\u202Egnp.exe\u202C \u2066isolate\u2069 \u200B\u200Fzero-width`,
  // NUL itself is refused at the edge (tests/api/bad-input.test.ts); other control characters pass.
  `before\u0001after\u0007\u001b<script>${run}</script>`,
  `line\u2028separator\u2029paragraph`,
  `'; DROP TABLE stories; -- \\"); ${run}; //`,
  `🎓 Ñandú café 中文 हिन्दी العربية <b>bold</b>`,
  `<img src=x onerror=${run}>`.repeat(120),
];

/** Installs the canary before any page script: `window.__xss` counts every payload that ran. */
export async function installCanary(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as Record<string, unknown>;
    let hits = 0;
    Object.defineProperty(w, "__xss", {
      configurable: false,
      get: () => hits,
      set: () => {
        hits++;
      },
    });
    const trip = () => {
      hits++;
    };
    for (const name of ["alert", "confirm", "prompt", "print"]) w[name] = trip;
  });
}

/** How many payloads ran in the page (and its frames) so far. */
export async function canaryHits(page: Page): Promise<number> {
  let total = 0;
  for (const frame of page.frames()) {
    total += await frame.evaluate(() => (window as unknown as { __xss: number }).__xss ?? 0).catch(() => 0);
  }
  return total;
}

export type Injected = { tag: string; where: string; why: string };

/**
 * Elements under `root` (shadow roots included, recursively) that no Chorus template makes and
 * only a payload could: executable scripts, frames, event-handler attributes, script URLs, and
 * the tags the corpus uses. JSON-LD data blocks are allowed (checked on their own).
 */
export function findInjected(target: Page | Frame, rootSelector = "body"): Promise<Injected[]> {
  return (target as Frame).evaluate((selector) => {
    const found: { tag: string; where: string; why: string }[] = [];
    const forbidden = new Set([
      "iframe",
      "object",
      "embed",
      "base",
      "meta",
      "link",
      "marquee",
      "video",
      "audio",
      "source",
      "math",
      "mglyph",
      "mtext",
      "template",
      "x-el",
      "b",
      "frame",
      "frameset",
      "style",
      "body",
    ]);
    const urlAttributes = ["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"];
    const visit = (root: ParentNode, where: string) => {
      for (const element of root.querySelectorAll("*")) {
        const tag = element.localName;
        if (tag === "script" && (element as HTMLScriptElement).type !== "application/ld+json")
          found.push({ tag, where, why: "an executable script element" });
        if (forbidden.has(tag)) found.push({ tag, where, why: "a tag only a payload makes" });
        for (const attribute of element.getAttributeNames()) {
          const value = element.getAttribute(attribute) ?? "";
          if (attribute.startsWith("on")) found.push({ tag, where, why: `event handler attribute ${attribute}` });
          if (urlAttributes.includes(attribute) && /^\s*(javascript|data:text\/html|vbscript)/i.test(value))
            found.push({ tag, where, why: `${attribute}=${value.slice(0, 60)}` });
        }
        if (tag === "svg" && element.querySelector("script, a, foreignObject"))
          found.push({ tag, where, why: "svg with script, link or foreign content" });
        if (element.shadowRoot) visit(element.shadowRoot, `${where} > ${tag}::shadow`);
      }
    };
    for (const root of document.querySelectorAll(selector)) visit(root, selector);
    return found;
  }, rootSelector);
}

/** All text under `selector`, shadow roots included: what a reader of the page sees as text. */
export function deepText(page: Page, selector = "body"): Promise<string> {
  return page.evaluate((rootSelector) => {
    const parts: string[] = [];
    const visit = (node: Node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        const parent = node.parentElement;
        if (parent?.localName !== "script" && parent?.localName !== "style") parts.push(node.nodeValue ?? "");
        return;
      }
      const element = node as Element;
      if (element.shadowRoot) visit(element.shadowRoot);
      for (const child of node.childNodes) visit(child);
    };
    for (const root of document.querySelectorAll(rootSelector)) visit(root);
    return parts.join("\n");
  }, selector);
}

/** Tallies payload × field renders, printed once by the suite. */
export class PayloadTally {
  private readonly counts = new Map<string, number>();

  add(field: string, n = 1): void {
    this.counts.set(field, (this.counts.get(field) ?? 0) + n);
  }

  get total(): number {
    return [...this.counts.values()].reduce((sum, n) => sum + n, 0);
  }

  summary(): string {
    const fields = [...this.counts.entries()].map(([field, n]) => `${field} ${n}`).join(", ");
    return `XSS: ${this.total} payload × field renders checked inert (${xssPayloads.length} payloads, ${this.counts.size} fields: ${fields})`;
  }
}
