/**
 * Email: the admin's view of the outbox (`GET /v1/admin/mail`), and one-click unsubscribe
 * (RFC 8058) at the link every message carries: GET shows a confirm page (link scanners follow
 * GETs, so a GET never unsubscribes), POST unsubscribes (what a mail provider's button sends).
 */
import { z } from "@hono/zod-openapi";
import { html } from "hono/html";
import { errorResponses } from "../errors.ts";
import { page } from "../lib/pages.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { unsubscribeWords } from "../lib/unsubscribe-words.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import { oneClickUnsubscribePath } from "../middleware/json-body.ts";
import { mailOverview } from "../services/mail-overview.ts";
import { checkUnsubscribeToken, unsubscribe } from "../services/mail-unsubscribe.ts";
import { serviceContext, workspaceContext } from "./context.ts";

export const MailMessage = z
  .object({
    id: z.string(),
    category: z.string(),
    template: z.string(),
    status: z.enum(["queued", "sent", "failed", "suppressed"]),
    reason: z
      .string()
      .nullable()
      .openapi({ description: "Why it failed or was suppressed, or why the last attempt failed" }),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    sentAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("MailMessage");

export const MailOverview = z
  .object({
    enabled: z.boolean().openapi({
      description: "Whether the server has a mail transport (SMTP_URL and MAIL_FROM); when off, messages wait queued",
    }),
    counts: z.object({
      queued: z.number().int(),
      sent: z.number().int(),
      failed: z.number().int(),
      suppressed: z.number().int(),
    }),
    items: z.array(MailMessage).openapi({ description: "The latest 50 messages, newest first" }),
  })
  .openapi("MailOverview");
export type MailOverview = z.infer<typeof MailOverview>;

const overview = apiRoute({
  tags: ["Email"],
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession],
  method: "get",
  path: "/v1/admin/mail",
  summary: "Whether mail is on, and the workspace's email outbox",
  responses: { 200: { description: "The outbox", content: { "application/json": { schema: MailOverview } } } },
});

const tokenQuery = z.object({ t: z.string().min(1).max(400) });

const confirm = apiRoute({
  tags: ["Email"],
  method: "get",
  path: oneClickUnsubscribePath,
  summary: "The unsubscribe link's confirm page (a GET never unsubscribes)",
  request: { query: tokenQuery },
  responses: { 200: { description: "An HTML page with the confirm button" }, ...errorResponses(400) },
});

const oneClick = apiRoute({
  tags: ["Email"],
  method: "post",
  path: oneClickUnsubscribePath,
  summary: "Unsubscribe (RFC 8058 one-click): the token's address gets no more mail of its category",
  request: { query: tokenQuery },
  responses: { 200: { description: "An HTML page saying it is done" }, ...errorResponses(400) },
});

export const mailRoutes = createRouter()
  .openapi(overview, async (c) =>
    c.json(await mailOverview(workspaceContext(c), { enabled: c.var.deps.mailTransport !== undefined }), 200),
  )
  .openapi(confirm, async (c) => {
    const { t } = c.req.valid("query");
    const { category, locale } = await checkUnsubscribeToken(serviceContext(c), { token: t });
    const w = unsubscribeWords[locale];
    const action = `${oneClickUnsubscribePath}?t=${encodeURIComponent(t)}`;
    return page(
      c,
      w.title,
      html`<h1>${w.title}</h1>
        <p>${w.question(w.categories[category])}</p>
        <form method="post" action="${action}"><button type="submit">${w.button}</button></form>`,
      200,
      locale,
    ) as never;
  })
  .openapi(oneClick, async (c) => {
    const { category, locale } = await unsubscribe(serviceContext(c), { token: c.req.valid("query").t });
    const w = unsubscribeWords[locale];
    return page(
      c,
      w.doneTitle,
      html`<h1>${w.doneTitle}</h1><p>${w.done(w.categories[category])}</p>`,
      200,
      locale,
    ) as never;
  });
