/** Webhook endpoints, their delivery log and manual resend, for the program admin. */
import { z } from "@hono/zod-openapi";
import { webUrl } from "../../db/web-url.ts";
import { errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import { webhookEventTypes } from "../services/outbox.ts";
import { workspaceContext } from "./context.ts";
import { cursorQuery } from "./schemas.ts";

export const Endpoint = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    allowPrivateNetwork: z.boolean().openapi({
      description: "Deliveries may go to private and loopback addresses (self-hosting); off unless set",
    }),
    status: z.enum(["active", "paused"]).openapi({
      description:
        "`paused` after too many failed deliveries in a row: its queue is kept but not attempted until resumed",
    }),
    pausedAt: z.string().nullable(),
    pauseReason: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    retryAt: z.string().nullable().openapi({ description: "While failing, no delivery is attempted before this" }),
    createdAt: z.string(),
  })
  .openapi("WebhookEndpoint");
export type Endpoint = z.infer<typeof Endpoint>;

const CreatedEndpoint = Endpoint.extend({
  secret: z.string().openapi({ description: "Signs every delivery. Shown only now: store it." }),
}).openapi("CreatedWebhookEndpoint");

export const Delivery = z
  .object({
    eventId: z.string(),
    endpointId: z.string(),
    type: z.string().nullable(),
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("WebhookDelivery");
export type Delivery = z.infer<typeof Delivery>;

/** The endpoint list is one page: an account has few endpoints. */
export const EndpointList = z.object({ items: z.array(Endpoint), nextCursor: z.string().nullable() });
export type EndpointList = z.infer<typeof EndpointList>;

export const DeliveryList = z
  .object({ items: z.array(Delivery), nextCursor: z.string().nullable() })
  .openapi("WebhookDeliveryList");
export type DeliveryList = z.infer<typeof DeliveryList>;

const endpointParams = z.object({ id: z.string().min(1).max(64) });

/** Every webhook route: program admin, by secret key or dashboard session. */
const common = {
  tags: ["Webhooks"],
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession],
};

const list = apiRoute({
  ...common,
  method: "get",
  path: "/v1/admin/webhooks",
  summary: "List webhook endpoints",
  responses: {
    200: {
      description: "The endpoints (secrets are never shown again)",
      content: {
        "application/json": {
          schema: EndpointList,
        },
      },
    },
  },
});

const create = apiRoute({
  ...common,
  method: "post",
  path: "/v1/admin/webhooks",
  summary: "Add a webhook endpoint",
  description: `Events: ${webhookEventTypes.join(", ")}. An empty or absent \`events\` subscribes to all. A URL whose host is, or resolves to, a private or loopback address is refused unless \`allowPrivateNetwork\` is set.`,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .object({
              url: webUrl().max(2000),
              events: z.array(z.enum(webhookEventTypes)).max(webhookEventTypes.length).default([]),
              allowPrivateNetwork: z.boolean().default(false).openapi({
                description:
                  "Deliver to private and loopback addresses too (a receiver inside your own network). Off: such a URL is refused, here and at every delivery.",
              }),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    201: {
      description: "The endpoint, with its signing secret",
      content: { "application/json": { schema: CreatedEndpoint } },
    },
    ...errorResponses(400, 409),
  },
});

const remove = apiRoute({
  ...common,
  method: "delete",
  path: "/v1/admin/webhooks/{id}",
  summary: "Delete a webhook endpoint (pending deliveries to it are dropped)",
  request: { params: endpointParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses(404) },
});

const resume = apiRoute({
  ...common,
  method: "post",
  path: "/v1/admin/webhooks/{id}/resume",
  summary: "Resume a paused endpoint: its queued deliveries are attempted again",
  request: { params: endpointParams },
  responses: {
    200: { description: "The endpoint, active again", content: { "application/json": { schema: Endpoint } } },
    ...errorResponses(404),
  },
});

const deliveries = apiRoute({
  ...common,
  method: "get",
  path: "/v1/admin/webhooks/{id}/deliveries",
  summary: "The delivery log of one endpoint, newest first",
  request: {
    params: endpointParams,
    query: z.object({
      status: z.enum(["pending", "delivered", "failed"]).optional(),
      event: z.string().min(1).max(64).optional().openapi({ description: "Only this event's delivery" }),
      ...cursorQuery,
    }),
  },
  responses: {
    200: {
      description: "A page of deliveries",
      content: {
        "application/json": {
          schema: DeliveryList,
        },
      },
    },
    ...errorResponses(404),
  },
});

const resend = apiRoute({
  ...common,
  method: "post",
  path: "/v1/admin/webhooks/{id}/deliveries/{eventId}/resend",
  summary: "Send one event to this endpoint again, as soon as the worker runs",
  request: { params: endpointParams.extend({ eventId: z.string().min(1).max(64) }) },
  responses: {
    200: { description: "The delivery, pending again", content: { "application/json": { schema: Delivery } } },
    ...errorResponses(404),
  },
});

/** Loaded by the first webhook request, not at start-up (worker.build.ts: a cold start does not parse it). */
const lazyWebhooks = () => import("../services/webhooks.ts");

export const webhookRoutes = createRouter()
  .openapi(list, async (c) => c.json(await (await lazyWebhooks()).listEndpoints(workspaceContext(c)), 200))
  .openapi(create, async (c) => {
    const { createEndpoint } = await lazyWebhooks();
    const ctx = { ...workspaceContext(c), outbound: c.var.deps.outbound };
    const input = { ...c.req.valid("json"), endpointLimit: c.var.deps.config.webhookEndpointLimit };
    return c.json(await createEndpoint(ctx, input), 201);
  })
  .openapi(remove, async (c) => {
    const { deleteEndpoint } = await lazyWebhooks();
    await deleteEndpoint(workspaceContext(c), { endpointId: c.req.valid("param").id });
    return c.body(null, 204);
  })
  .openapi(resume, async (c) => {
    const { resumeEndpoint } = await lazyWebhooks();
    return c.json(await resumeEndpoint(workspaceContext(c), { endpointId: c.req.valid("param").id }), 200);
  })
  .openapi(deliveries, async (c) => {
    const { event, ...query } = c.req.valid("query");
    const filter = { ...query, endpointId: c.req.valid("param").id, eventId: event };
    const { listDeliveries } = await lazyWebhooks();
    return c.json(await listDeliveries(workspaceContext(c), filter), 200);
  })
  .openapi(resend, async (c) => {
    const { id, eventId } = c.req.valid("param");
    const { resendDelivery } = await lazyWebhooks();
    return c.json(await resendDelivery(workspaceContext(c), { endpointId: id, eventId }), 200);
  });
