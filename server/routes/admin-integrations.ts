/**
 * Connectors for the program admin: `GET|POST /v1/admin/integrations`, `PATCH|DELETE
 * /v1/admin/integrations/{id}`, `POST …/{id}/rotate` (a new URL token), `GET …/{id}/events` (the
 * last events and their outcome) and `POST /v1/admin/integrations/test` (what a pasted sample
 * would make under a platform or a mapping; nothing is stored).
 */
import { z } from "@hono/zod-openapi";
import { Money } from "../../db/program-settings.ts";
import { errorResponses } from "../errors.ts";
import { courseSlug } from "../lib/fields.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import { CustomMapping, SignatureScheme } from "../services/integrations/custom-mapping.ts";
import { workspaceContext } from "./context.ts";
import { checkConversion } from "./integrations.ts";

/**
 * The connector services, loaded on the first connector request: few requests manage connectors,
 * and left out of the worker's cold start (worker.build.ts) they keep it small.
 */
const connectors = () => import("../services/integrations/connectors.ts");

const platform = z.enum(["teachable", "thinkific", "kajabi", "custom"]);
const Courses = z
  .record(z.string().min(1).max(100), courseSlug)
  .refine((courses) => Object.keys(courses).length <= 500, "at most 500 entries")
  .openapi({ description: "The platform's course or product ids → Chorus course slugs" });

const Connector = z
  .object({
    id: z.string(),
    platform,
    name: z.string(),
    path: z.string().openapi({ description: "Paste HOST + path + `?token=TOKEN` into the platform" }),
    signed: z.boolean(),
    signature: z.record(z.string(), z.unknown()).nullable(),
    mapping: z.record(z.string(), z.unknown()).nullable(),
    courses: z.record(z.string(), z.string()),
    currency: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("Connector");
const CreatedConnector = Connector.extend({
  token: z.string().openapi({ description: "The URL's token. Shown only now: rotate to get a new one." }),
}).openapi("CreatedConnector");

const Settings = {
  name: z.string().trim().min(1).max(100).optional(),
  signingSecret: z.string().min(8).max(500).nullable().optional().openapi({
    description: "The sender's HMAC key (Thinkific: your app's client secret or the site's API key). Stored sealed.",
  }),
  signature: SignatureScheme.nullable().optional(),
  mapping: CustomMapping.nullable().optional(),
  courses: Courses.optional(),
  currency: Money.shape.currency.nullable().optional(),
};

const IntegrationEvent = z
  .object({
    id: z.string(),
    eventType: z.string(),
    eventId: z.string().nullable(),
    outcome: z.enum(["recorded", "replay", "ignored", "refused", "pending", "reconciled"]),
    detail: z.string(),
    conversionId: z.string().nullable(),
    receivedAt: z.string(),
  })
  .openapi("IntegrationEvent");

const params = z.object({ id: z.string().min(1).max(64) });
const common = { tags: ["Integrations"], security: secretKeyOrSession, middleware: [requireSecretKeyOrSession] };
const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });

const list = apiRoute({
  ...common,
  method: "get",
  path: "/v1/admin/integrations",
  summary: "List connectors (tokens and secrets are never shown again)",
  responses: {
    200: {
      description: "The connectors",
      ...json(z.object({ items: z.array(Connector), nextCursor: z.string().nullable() })),
    },
  },
});

const create = apiRoute({
  ...common,
  method: "post",
  path: "/v1/admin/integrations",
  summary: "Add a connector",
  request: { body: { required: true, ...json(z.object({ platform, ...Settings }).strict()) } },
  responses: {
    201: { description: "The connector, with its URL token", ...json(CreatedConnector) },
    ...errorResponses(409),
  },
});

const update = apiRoute({
  ...common,
  method: "patch",
  path: "/v1/admin/integrations/{id}",
  summary: "Change a connector's name, courses, currency, mapping or signing",
  request: { params, body: { required: true, ...json(z.object(Settings).strict()) } },
  responses: { 200: { description: "The connector", ...json(Connector) }, ...errorResponses(404) },
});

const rotate = apiRoute({
  ...common,
  method: "post",
  path: "/v1/admin/integrations/{id}/rotate",
  summary: "A new URL token (the old one stops working at once)",
  request: { params },
  responses: {
    200: { description: "The connector, with its new token", ...json(CreatedConnector) },
    ...errorResponses(404),
  },
});

const remove = apiRoute({
  ...common,
  method: "delete",
  path: "/v1/admin/integrations/{id}",
  summary: "Delete a connector and its event log",
  request: { params },
  responses: { 204: { description: "Deleted" }, ...errorResponses(404) },
});

const events = apiRoute({
  ...common,
  method: "get",
  path: "/v1/admin/integrations/{id}/events",
  summary: "The connector's last events and their outcome, newest first",
  request: { params },
  responses: {
    200: {
      description: "The events",
      ...json(z.object({ items: z.array(IntegrationEvent), nextCursor: z.string().nullable() })),
    },
    ...errorResponses(404),
  },
});

const test = apiRoute({
  ...common,
  method: "post",
  path: "/v1/admin/integrations/test",
  summary: "What a sample payload would make under a platform or a mapping (nothing is stored)",
  request: {
    body: {
      required: true,
      ...json(
        z
          .object({
            platform,
            mapping: CustomMapping.optional(),
            courses: Courses.default({}),
            currency: Money.shape.currency.nullable().default(null),
            sample: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]),
          })
          .strict(),
      ),
    },
  },
  responses: {
    200: {
      description: "The conversion it would make, or why none",
      ...json(
        z
          .object({
            outcome: z.enum(["conversion", "ignored", "invalid"]),
            eventType: z.string(),
            eventId: z.string().nullable(),
            detail: z.string().optional(),
            conversion: z.record(z.string(), z.unknown()).optional(),
          })
          .openapi("IntegrationTest"),
      ),
    },
  },
});

export const adminIntegrationRoutes = createRouter()
  .openapi(list, async (c) => c.json(await (await connectors()).listConnectors(workspaceContext(c)), 200))
  .openapi(create, async (c) =>
    c.json(await (await connectors()).createConnector(workspaceContext(c), c.req.valid("json")), 201),
  )
  .openapi(test, async (c) => {
    const body = c.req.valid("json");
    if (body.platform === "custom" && !body.mapping)
      return c.json(
        { outcome: "invalid" as const, eventType: "(none)", eventId: null, detail: "a custom test needs a mapping" },
        200,
      );
    // Loaded by the first test event, not at start-up (worker.build.ts: a cold start does not parse it).
    const { prepareConversion } = await import("../services/integrations/receive.ts");
    const prepared = prepareConversion(
      { ...workspaceContext(c), checkConversion },
      {
        id: "icn_test",
        platform: body.platform,
        mapping: body.mapping ?? null,
        courses: body.courses,
        currency: body.currency,
      },
      body.sample,
    );
    return c.json(
      prepared.kind === "conversion"
        ? {
            outcome: "conversion" as const,
            eventType: prepared.eventType,
            eventId: prepared.eventId,
            conversion: prepared.input,
          }
        : { outcome: prepared.kind, eventType: prepared.eventType, eventId: prepared.eventId, detail: prepared.reason },
      200,
    );
  })
  .openapi(update, async (c) =>
    c.json(
      await (await connectors()).updateConnector(workspaceContext(c), {
        ...c.req.valid("json"),
        id: c.req.valid("param").id,
      }),
      200,
    ),
  )
  .openapi(rotate, async (c) =>
    c.json(await (await connectors()).rotateConnectorToken(workspaceContext(c), c.req.valid("param")), 200),
  )
  .openapi(remove, async (c) => {
    await (await connectors()).deleteConnector(workspaceContext(c), c.req.valid("param"));
    return c.body(null, 204);
  })
  .openapi(events, async (c) =>
    c.json(await (await connectors()).listConnectorEvents(workspaceContext(c), c.req.valid("param")), 200),
  );

/** The shapes the dashboard reads (widgets import them as types only). */
export type ConnectorView = z.infer<typeof Connector>;
export type IntegrationEventView = z.infer<typeof IntegrationEvent>;
