/** The widget browser tests' world: Chromium, a provider's site and the live app, on two origins. */
import type { Browser } from "playwright-core";
import type { Fetch } from "../../server/services/credentials/fetch.ts";
import { distAssets, type HostSite, launchBrowser, startHostSite } from "./browser.ts";
import { type LiveServer, startLiveServer } from "./http-server.ts";

export type WidgetSites = { browser: Browser; host: HostSite; live: LiveServer; close: () => Promise<void> };

/**
 * Starts Chromium, the provider's site and the app serving the built widgets; `close` stops all
 * three. `fetch` replaces the app's outbound fetch for credentials and photos (a test's local hosts).
 */
export async function startWidgetSites(options: { fetch?: Fetch } = {}): Promise<WidgetSites> {
  let browser: Browser | undefined;
  let host: HostSite | undefined;
  let live: LiveServer | undefined;
  // Whatever has started, stopped: also when a later start fails.
  const close = async () => {
    await browser?.close();
    await host?.close();
    await live?.close();
  };
  try {
    browser = await launchBrowser();
    host = await startHostSite();
    // The XSS corpus adds one webhook endpoint per payload, far past the default cap of 20.
    live = await startLiveServer({
      deps: { assets: distAssets, ...(options.fetch ? { fetch: options.fetch } : {}) },
      config: { webhookEndpointLimit: 1000 },
    });
    return { browser, host, live, close };
  } catch (error) {
    await close();
    throw error;
  }
}
