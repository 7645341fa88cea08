/**
 * `/dashboard`: the marketer's single-page app, built by Vite into dist/dashboard/index.html and
 * served by the static assets handler. This only adds its strict Content-Security-Policy (no
 * inline script or style; Lit uses adopted stylesheets) and no-cache, so a new build shows at once.
 */
import { Hono } from "hono";
import type { AppEnv } from "../types.ts";

export const dashboardCsp =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export const dashboardPageRoutes = new Hono<AppEnv>().use("/dashboard/*", async (c, next) => {
  await next();
  c.header("Content-Security-Policy", dashboardCsp);
  c.header("Cache-Control", "no-cache");
});
