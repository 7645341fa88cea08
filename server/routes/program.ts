/** The program settings of the caller's workspace: reward rules, attribution, origins, issuers. */
import { z } from "@hono/zod-openapi";
import { ProgramSettings } from "../../db/program-settings.ts";
import { ApiError } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import { patchSettings } from "../services/workspaces.ts";

// Schemas made before @hono/zod-openapi loads lack `.openapi`: wrap the shape to name it.
export const Settings = z.object(ProgramSettings.shape).openapi("ProgramSettings");
export type Settings = z.infer<typeof Settings>;
const json = { "application/json": { schema: Settings } };

const getProgram = apiRoute({
  method: "get",
  path: "/v1/admin/program",
  tags: ["Program"],
  summary: "Read the program settings",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  responses: { 200: { description: "The settings", content: json } },
});

const patchProgram = apiRoute({
  method: "patch",
  path: "/v1/admin/program",
  tags: ["Program"],
  summary: "Change the program settings",
  description: "Top-level fields given replace the stored ones whole; fields left out keep their value.",
  security: secretKeyOrSession,
  middleware: [requireSecretKeyOrSession] as const,
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: z.record(z.string(), z.unknown()).openapi("ProgramSettingsPatch") } },
    },
  },
  responses: { 200: { description: "The settings after the change", content: json } },
});

/**
 * The Stripe signing secret is write-only: reads show its last four characters, so a dashboard
 * or a log of API answers never holds it. Sending the masked value back keeps the stored secret.
 */
const maskSecret = (secret: string) => `whsec_…${secret.slice(-4)}`;

function forReading(settings: ProgramSettings): ProgramSettings {
  if (!settings.stripe) return settings;
  return { ...settings, stripe: { ...settings.stripe, webhookSecret: maskSecret(settings.stripe.webhookSecret) } };
}

function keepMaskedSecret(patch: Record<string, unknown>, stored: ProgramSettings): Record<string, unknown> {
  const stripe = patch.stripe as { webhookSecret?: unknown } | null | undefined;
  if (stored.stripe && stripe && stripe.webhookSecret === maskSecret(stored.stripe.webhookSecret)) {
    return { ...patch, stripe: { ...stripe, webhookSecret: stored.stripe.webhookSecret } };
  }
  return patch;
}

export const programRoutes = createRouter()
  .openapi(getProgram, (c) => c.json(forReading(c.var.auth.workspace.settings), 200))
  .openapi(patchProgram, async (c) => {
    const { workspace } = c.var.auth;
    const patch = c.req.valid("json");
    const unknown = Object.keys(patch).filter((key) => !(key in ProgramSettings.shape));
    if (unknown.length > 0) throw new ApiError("invalid_request", `Unknown settings: ${unknown.join(", ")}`);
    const settings = await patchSettings(c.var.deps.db, workspace.id, keepMaskedSecret(patch, workspace.settings));
    // Targets and fallbacks of this workspace's codes may have changed.
    c.var.codes.clear();
    return c.json(forReading(settings), 200);
  });
