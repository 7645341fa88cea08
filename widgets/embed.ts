/**
 * The loader: the one script a provider adds. It stays tiny by defining no element itself; it
 * watches the page for `chorus-*` tags and imports each element's code the first time one appears,
 * including elements a single-page app adds later.
 */
const elements: Record<string, () => Promise<unknown>> = {};

const script = document.currentScript ?? document.querySelector<HTMLScriptElement>("script[data-key][src*='embed.js']");

/** The publishable key and API base every element reads. */
export const chorusConfig = {
  key: script?.getAttribute("data-key") ?? "",
  apiBase: script instanceof HTMLScriptElement ? new URL(script.src).origin : location.origin,
};

function upgrade(root: ParentNode): void {
  for (const [tag, load] of Object.entries(elements)) {
    if (!customElements.get(tag) && root.querySelector(tag)) void load();
  }
}

upgrade(document);
new MutationObserver(() => upgrade(document)).observe(document.documentElement, { childList: true, subtree: true });
