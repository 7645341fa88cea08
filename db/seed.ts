/**
 * The demo workspace that `npm start` makes on an empty database, so a newcomer sees Chorus
 * working at once. Its keys are kept in a file beside the database (never in it): the demo
 * site's backend needs the secret key, and the start banner prints them on every start.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { demoCatalog } from "../demo/catalog.ts";
import { rotateKey } from "../server/services/api-keys.ts";
import { parseWorkspace } from "../server/services/workspace-row.ts";
import { createWorkspace, updateSettings } from "../server/services/workspaces.ts";
import { createDemoData } from "./demo-data.ts";
import type { Db } from "./index.ts";
import { courses, workspaces } from "./schema.ts";

export type DemoKeys = { id: string; name: string; publishableKey: string; secretKey: string; tokenSecret: string };

/** Returns the demo workspace's keys, making the workspace (or fresh keys) when needed. */
export async function ensureDemoWorkspace(
  db: Db,
  options: { origin: string; keysFile: string; now: Date; secret: string },
): Promise<DemoKeys> {
  const { origin, keysFile, now, secret } = options;
  const [row] = await db.select().from(workspaces).where(eq(workspaces.isDemo, true)).limit(1);
  if (!row) {
    const created = await createWorkspace(
      db,
      {
        name: "Skillbridge Academy",
        origins: [origin],
        isDemo: true,
        settings: { defaultTargetUrl: `${origin}/demo/` },
      },
      now,
    );
    await db.insert(courses).values(
      demoCatalog.map((course) => ({
        id: `crs_${course.slug}`,
        workspaceId: created.id,
        slug: course.slug,
        title: course.title,
        url: `${origin}/demo/courses/${course.slug}`,
        createdAt: now.getTime(),
      })),
    );
    writeFileSync(keysFile, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
    // Only a newly made demo gets its history: a later start never adds to it.
    const [made] = await db.select().from(workspaces).where(eq(workspaces.id, created.id));
    if (made) await createDemoData(db, { workspace: parseWorkspace(made), secret, now });
    return created;
  }
  const workspace = parseWorkspace(row);
  // A demo started on another port or host must accept its own origin.
  if (!workspace.settings.allowedOrigins.includes(origin)) {
    await updateSettings(db, workspace.id, {
      ...workspace.settings,
      allowedOrigins: [...workspace.settings.allowedOrigins, origin],
    });
  }
  if (existsSync(keysFile)) {
    const keys = JSON.parse(readFileSync(keysFile, "utf8")) as DemoKeys;
    if (keys.id === workspace.id) return keys;
  }
  // The keys file was lost: keys are stored only as hashes, so issue new ones.
  const keys: DemoKeys = {
    id: workspace.id,
    name: workspace.name,
    publishableKey: await rotateKey(db, workspace.id, "publishable", now),
    secretKey: await rotateKey(db, workspace.id, "secret", now),
    tokenSecret: workspace.tokenSecret,
  };
  writeFileSync(keysFile, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}
