/**
 * The demo workspace that `npm start` makes on an empty database, so a newcomer sees Chorus
 * working at once. Its keys are kept in a file beside the database (never in it): the demo
 * site's backend needs the secret key, and the start banner prints them on every start.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Db } from "../db/index.ts";
import { rotateKey } from "../server/services/api-keys.ts";
import { fixedClock } from "../server/services/clock.ts";
import { upsertCourse } from "../server/services/courses.ts";
import { createWorkspace, getWorkspace, listWorkspaces, updateSettings } from "../server/services/workspaces.ts";
import { demoCatalog } from "./catalog.ts";
import { demoIssuer } from "./credentials.ts";
import { createDemoHistory } from "./history.ts";

/** The demo academy's friend offer: 10% off a first course with a referrer's coupon code. */
export const demoFriendOfferPercent = 10;

export type DemoKeys = { id: string; name: string; publishableKey: string; secretKey: string; tokenSecret: string };

/** The demo workspace's hosted advocate page is `/p/skillbridge`. */
export const demoSlug = "skillbridge";

/** Makes the demo workspace, its courses and its history; writes its keys file. */
async function createDemoWorkspace(
  db: Db,
  options: { origin: string; keysFile: string; now: Date; secret: string },
): Promise<DemoKeys> {
  const { origin, keysFile, now, secret } = options;
  // The demo provider issues Open Badges 3.0 certificates with its own key, kept beside the keys file.
  const issuer = await demoIssuer(join(dirname(keysFile), "demo-issuer-key.json"), "Skillbridge Academy");
  const created = await createWorkspace(
    { db, clock: fixedClock(now) },
    {
      name: "Skillbridge Academy",
      origins: [origin],
      isDemo: true,
      // The hosted advocate page, /p/skillbridge: the no-code path, shown beside the demo site.
      settings: {
        defaultTargetUrl: `${origin}/demo/`,
        slug: demoSlug,
        // It trusts its own certificates; the label is the provider's, shown beside the issuer's name.
        credentialIssuers: [{ id: issuer.id, name: "Skillbridge Academy (our own certificates)" }],
        // Friends get 10% off with their referrer's coupon code, which the redirect adds to the
        // course page as Teachable's `coupon_code` parameter (the demo checkout reads it the same way).
        friendOffer: { type: "percent", percent: demoFriendOfferPercent },
        friendCoupons: { source: "generated", checkout: "teachable", expiresInDays: null, poolLowAt: 20 },
      },
    },
  );
  writeFileSync(keysFile, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
  // Only a newly made demo gets its history: a later start never adds to it.
  const workspace = await getWorkspace({ db }, { id: created.id });
  if (!workspace) return created;
  const clock = fixedClock(now);
  for (const course of demoCatalog)
    await upsertCourse(
      { db, clock, workspace },
      { slug: course.slug, title: course.title, url: `${origin}/demo/courses/${course.slug}` },
    );
  await createDemoHistory(db, { workspace, secret, now, issuer, origin });
  return created;
}

/** Returns the demo workspace's keys, making the workspace (or fresh keys) when needed. */
export async function ensureDemoWorkspace(
  db: Db,
  options: { origin: string; keysFile: string; now: Date; secret: string },
): Promise<DemoKeys> {
  const { origin, keysFile, now } = options;
  const workspace = (await listWorkspaces({ db })).find((each) => each.isDemo);
  if (!workspace) return createDemoWorkspace(db, options);
  // A demo started on another port or host must accept its own origin.
  if (!workspace.settings.allowedOrigins.includes(origin)) {
    await updateSettings(
      { db },
      {
        workspaceId: workspace.id,
        settings: {
          ...workspace.settings,
          allowedOrigins: [...workspace.settings.allowedOrigins, origin],
        },
      },
    );
  }
  if (existsSync(keysFile)) {
    const keys = JSON.parse(readFileSync(keysFile, "utf8")) as DemoKeys;
    if (keys.id === workspace.id) return keys;
  }
  // The keys file was lost: keys are stored only as hashes, so issue new ones.
  const keys: DemoKeys = {
    id: workspace.id,
    name: workspace.name,
    publishableKey: await rotateKey({ db, clock: fixedClock(now) }, { workspaceId: workspace.id, kind: "publishable" }),
    secretKey: await rotateKey({ db, clock: fixedClock(now) }, { workspaceId: workspace.id, kind: "secret" }),
    tokenSecret: workspace.tokenSecret,
  };
  writeFileSync(keysFile, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}
