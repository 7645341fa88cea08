/** The program settings of the caller's workspace: reward rules, attribution, origins, issuers. */
import { z } from "@hono/zod-openapi";
import { programSettingsShape } from "../../db/program-settings.ts";
import { errorResponses } from "../errors.ts";
import { apiRoute, createRouter } from "../lib/router.ts";
import { requireSecretKeyOrSession, secretKeyOrSession } from "../middleware/auth.ts";
import { changeProgramSettings, programSettings } from "../services/workspaces.ts";
import { workspaceContext } from "./context.ts";

// Schemas made before @hono/zod-openapi loads lack `.openapi`: wrap the shape to name it.
export const Settings = z.object(programSettingsShape).openapi("ProgramSettings");
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
  responses: {
    200: { description: "The settings after the change", content: json },
    ...errorResponses(409),
  },
});

export const programRoutes = createRouter()
  .openapi(getProgram, (c) => c.json(programSettings(workspaceContext(c)), 200))
  .openapi(patchProgram, async (c) => {
    const settings = await changeProgramSettings(workspaceContext(c), { patch: c.req.valid("json") });
    // Targets and fallbacks of this workspace's codes may have changed.
    c.var.codes.clear();
    return c.json(settings, 200);
  });
