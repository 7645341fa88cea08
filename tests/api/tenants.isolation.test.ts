/**
 * Tenant isolation, route by route: with any credential of workspace Alpha (secret key,
 * publishable key from Alpha's origin, a learner token Alpha signed, Alpha's dashboard session),
 * no endpoint reads or changes anything of workspace Bravo. The list of endpoints comes from the
 * app itself (its OpenAPI document and its router), so a new endpoint fails the coverage test
 * until it gets an entry below, or an exemption with its reason.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { deliverDueWebhooks } from "../../server/services/webhooks.ts";
import { learnerToken } from "../support/factories.ts";
import { jpeg } from "../support/images.ts";
import { storyBody } from "../support/stories.ts";
import { storyTokenFor } from "../support/story-requests.ts";
import {
  browser,
  type CredentialKind,
  credential,
  credentialKinds,
  type Dump,
  richTenant,
  signIn,
  stripeSignature,
  type Tenant,
  tableNames,
  tenantStrings,
  unscopedTables,
  workspaceDump,
} from "../support/tenants.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

// Hundreds of requests in some tests: room for a busy machine.
vi.setConfig({ testTimeout: 30_000 });

let t: TestApp;
let a: Tenant;
let b: Tenant;
/** What identifies Bravo's data: no answer to Alpha may contain any of these. */
let bravoStrings: string[];
/** `nextCursor`s of Bravo's own lists: a position in Bravo's data, handed to Alpha's lists. */
const bravoCursors: Record<string, string> = {};
/** A story request link's one-time token of one of Bravo's learners. */
let bravoStoryToken: string;
let bravoReferredByToken: string;
/** Bravo's owner (the member its dashboard session belongs to). */
let bravoMemberId: string;
let openapi: { paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>> };

beforeAll(async () => {
  t = await createTestApp();
  a = await richTenant(t, "Alpha");
  b = await richTenant(t, "Bravo");
  // Building Bravo moved the clock a day: sessions are signed now, so both are fresh.
  a.session = await signIn(t, a.ws.id);
  b.session = await signIn(t, b.ws.id);
  bravoMemberId = String(
    (await t.client.execute({ sql: "select id from team_members where workspace_id = ?", args: [b.ws.id] })).rows[0]
      ?.id,
  );
  const [alphaDump, bravoDump] = [await workspaceDump(t, a.ws.id), await workspaceDump(t, b.ws.id)];
  bravoStrings = tenantStrings(bravoDump, alphaDump, "Bravo", [
    b.ws.secretKey,
    b.ws.publishableKey,
    b.session.slice("chorus_session=".length),
    ...b.learners.map((learner) => learner.token),
    ...Object.values(b.stories).map((story) => story.editToken),
  ]);
  bravoStoryToken = await storyTokenFor(t, b);
  bravoStrings.push(bravoStoryToken);
  const asked = await t.call("POST", "/v1/referred-by", {
    body: { name: b.learners[0].name, course: b.course },
    headers: credential(b, "publishable"),
  });
  bravoReferredByToken = ((await asked.json()) as { token: string }).token;
  if (!bravoReferredByToken) throw new Error(`no referred-by token for Bravo: ${asked.status}`);
  bravoStrings.push(bravoReferredByToken);
  openapi = await (await t.call("GET", "/openapi.json")).json();
  for (const [name, path, kind] of [
    ["rewards", "/v1/admin/rewards?limit=1", "secret"],
    ["adminStories", "/v1/admin/stories?limit=1", "secret"],
    ["stories", "/v1/stories?limit=1", "publishable"],
    ["conversions", "/v1/analytics/conversions?limit=1", "secret"],
    ["deliveries", `/v1/admin/webhooks/${b.webhooks[0]?.id}/deliveries?limit=1`, "secret"],
  ] as const) {
    const page = (await (await t.call("GET", path, { headers: credential(b, kind) })).json()) as { nextCursor: string };
    if (!page.nextCursor) throw new Error(`no cursor for Bravo's ${name}`);
    bravoCursors[name] = page.nextCursor;
  }
}, 60_000);
afterAll(() => t?.cleanup());

// ---------------------------------------------------------------------------------------------
// The route table
// ---------------------------------------------------------------------------------------------

const photoType = { "Content-Type": "image/jpeg" };

type Call = {
  path: string;
  body?: unknown;
  /** Added to (and over) the credential's headers. */
  headers?: Record<string, string>;
  /** Statuses allowed for a credential the route accepts. */
  expect?: number[];
};

type Entry =
  | { exempt: string }
  | {
      /**
       * `addressed`: the calls name Bravo's resources; Alpha is refused (a credential the route
       * accepts gets `expect`, default 404), never served. `own`: the calls act in Alpha's own
       * namespace (lists, analytics, creating things with Bravo's names or ids in the body);
       * they may succeed, but answer only with Alpha's data.
       */
      kind: "addressed" | "own";
      calls: () => Call[];
      /** The same resource with Bravo's own credential answers this (proves the ids are live). */
      control?: { kind: CredentialKind; calls: () => Call[]; expect: number | "200 or 409" | "some 200" };
      /** An endpoint another branch adds: checked once it exists, skipped while it does not. */
      whenPresent?: true;
    };

const q = encodeURIComponent;
const codes = () => [b.learners[0].code, b.learners[1].code, b.vanity.code];
const storyIds = () => [b.stories.approved, b.stories.pending, b.stories.anonymous];
const bravoConversionIds = () =>
  b.conversions.flatMap((answer) => [answer.conversion.id, answer.conversion.externalId]);
const analyticsRange = "from=2026-10-01&to=2026-11-30";
/** Bravo's learners by Chorus's ids and by the provider's id of the second (the first's is also Alpha's). */
const bravoLearnerIds = () => [b.learners[1].sub, b.learners[0].id, b.learners[1].id];

/** Keys: "METHOD /path/{param}" as in the OpenAPI document (router paths `:param` become `{param}`). */
const routes: Record<string, Entry> = {
  "GET /healthz": { exempt: "liveness and database check: no workspace data" },
  "GET /readyz": {
    exempt: "readiness: the verdicts name no workspace (outbox backlogs are counted across the server)",
  },
  "GET /metrics": {
    exempt:
      "the operator's server-wide figures behind METRICS_TOKEN, never a workspace key; labels are route patterns and outcomes, no workspace ids",
  },
  "GET /openapi.json": { exempt: "the API description, the same for everyone" },
  "GET /v1/stories/{id}/receipt": {
    exempt:
      "public by design (issue 20): an approved story's verification receipt, by its id, with no key, from anywhere; a story not approved answers 404 (credentials.ob3-fixes.test.ts)",
  },
  "GET /stories/{id}/receipt": {
    exempt:
      "the same receipt as a page for people: public by design, approved stories only (credentials.ob3-fixes.test.ts)",
  },
  "GET /": { exempt: "the welcome page, static" },
  "GET /docs": { exempt: "the API reference page, static" },
  "GET /r/{code}": {
    exempt:
      "the public referral link: it names no workspace and ignores credentials; anyone may follow Bravo's link (tested below: the click counts for Bravo, never for Alpha)",
  },
  "HEAD /r/{code}": { exempt: "as GET /r/{code}, and counts nothing" },
  "GET /r/{code}/qr.svg": { exempt: "the public link as a QR image, for anyone (it holds only the link)" },

  "GET /v1/admin/program": { kind: "own", calls: () => [{ path: "/v1/admin/program" }] },
  "PATCH /v1/admin/program": {
    kind: "own",
    calls: () => [{ path: "/v1/admin/program", body: { minSampleSize: 10 } }],
  },
  "POST /v1/referrals/me": {
    kind: "own",
    calls: () => [
      { path: "/v1/referrals/me", body: { course: b.course } },
      // A token Alpha signed for Bravo's learner's id is a learner of Alpha with that id.
      {
        path: "/v1/referrals/me",
        body: {},
        headers: { Authorization: `Bearer ${impostorToken}` },
      },
    ],
  },
  "GET /v1/referrals/{code}": {
    kind: "addressed",
    calls: () => codes().map((code) => ({ path: `/v1/referrals/${code}` })),
    control: { kind: "publishable", calls: () => [{ path: `/v1/referrals/${b.vanity.code}` }], expect: 200 },
  },
  "POST /v1/clicks": {
    kind: "addressed",
    calls: () =>
      codes().map((code) => ({
        path: "/v1/clicks",
        body: { code, channel: "whatsapp", storyId: b.stories.approved.id },
      })),
    control: {
      kind: "publishable",
      calls: () => [{ path: "/v1/clicks", body: { code: b.vanity.code, channel: "sms" } }],
      expect: 201,
    },
  },
  "POST /v1/events": {
    kind: "addressed",
    calls: () => codes().map((code) => ({ path: "/v1/events", body: { type: "share", channel: "x", code } })),
    control: {
      kind: "learner",
      calls: () => [{ path: "/v1/events", body: { type: "share", channel: "x", code: b.learners[0].code } }],
      expect: 202,
    },
  },
  "POST /v1/codes": {
    kind: "addressed",
    calls: () => [
      // (Bravo's second learner: the first one's id is also an Alpha learner's, made by the impostor token.)
      { path: "/v1/codes", body: { code: "alpha-for-bravo", learnerId: b.learners[1].sub } },
      // Codes are one namespace across the server: a taken code says so, and nothing more.
      ...codes().map((code) => ({ path: "/v1/codes", body: { code }, expect: [409] })),
    ],
    control: {
      kind: "secret",
      calls: () => [{ path: "/v1/codes", body: { code: "bravo-second-vanity", learnerId: b.learners[0].sub } }],
      expect: 201,
    },
  },
  "GET /v1/admin/reserved-codes": { kind: "own", calls: () => [{ path: "/v1/admin/reserved-codes" }] },
  "PUT /v1/admin/reserved-codes/{name}": {
    kind: "addressed",
    // Bravo's reserved name and Bravo's codes: taken, says so, and nothing more.
    calls: () => [b.reserved, ...codes()].map((name) => ({ path: `/v1/admin/reserved-codes/${name}`, expect: [409] })),
    control: { kind: "secret", calls: () => [{ path: `/v1/admin/reserved-codes/${b.reserved}` }], expect: 200 },
  },
  "DELETE /v1/admin/reserved-codes/{name}": {
    kind: "addressed",
    calls: () => [{ path: `/v1/admin/reserved-codes/${b.reserved}` }],
  },
  // Friend coupons: each workspace sees and changes only its own pool, Stripe state and key.
  "GET /v1/admin/friend-coupons": { kind: "own", calls: () => [{ path: "/v1/admin/friend-coupons" }] },
  "POST /v1/admin/friend-coupons/pool": {
    kind: "own",
    calls: () => [{ path: "/v1/admin/friend-coupons/pool", body: { csv: "code\nALPHA-POOL-1\n" } }],
  },
  "POST /v1/admin/friend-coupons/retry": { kind: "own", calls: () => [{ path: "/v1/admin/friend-coupons/retry" }] },
  "PUT /v1/admin/stripe/api-key": {
    kind: "own",
    calls: () => [{ path: "/v1/admin/stripe/api-key", body: { apiKey: "sk_test_alphaonly1234" } }],
  },
  "DELETE /v1/admin/stripe/api-key": { kind: "own", calls: () => [{ path: "/v1/admin/stripe/api-key" }] },
  "GET /v1/admin/courses": { kind: "own", calls: () => [{ path: "/v1/admin/courses" }] },
  "PUT /v1/admin/courses/{slug}": {
    kind: "own",
    // Alpha may have a course with the same slug: it is Alpha's own, and Bravo's is untouched.
    calls: () => [
      { path: `/v1/admin/courses/${b.course}`, body: { title: "Alpha's take", url: "https://alpha.example/x" } },
    ],
  },
  "GET /v1/stories": {
    kind: "own",
    calls: () => [
      { path: "/v1/stories" },
      { path: `/v1/stories?course=${b.course}` },
      { path: `/v1/stories?course=${b.sharedCourse}&verified=true` },
      { path: `/v1/stories?cursor=${q(bravoCursors.stories ?? "")}` },
    ],
  },
  "GET /v1/stories/mine": {
    kind: "own",
    // An Alpha learner token that names Bravo's learner finds none of Bravo's stories.
    calls: () => [
      { path: `/v1/stories/mine?course=${b.course}`, headers: { Authorization: `Bearer ${impostorToken}` } },
    ],
  },
  "GET /v1/stories/prefill": {
    kind: "addressed",
    calls: () => [{ path: "/v1/stories/prefill", headers: { "Chorus-Story-Token": bravoStoryToken } }],
    control: {
      kind: "publishable",
      calls: () => [{ path: "/v1/stories/prefill", headers: { "Chorus-Story-Token": bravoStoryToken } }],
      expect: 200,
    },
  },
  "POST /v1/stories": {
    kind: "own",
    calls: () => [{ path: "/v1/stories", body: storyBody({ course: b.course }), expect: [201] }],
  },
  "PATCH /v1/stories/{id}": {
    kind: "addressed",
    calls: () =>
      storyIds().flatMap((story): Call[] => [
        // Even with Bravo's own edit token (stolen, say), Alpha's key does not reach Bravo's story.
        {
          path: `/v1/stories/${story.id}`,
          body: { headline: "Hijacked" },
          headers: { "Chorus-Edit-Token": story.editToken },
        },
        {
          path: `/v1/stories/${story.id}`,
          body: { consent: { publish: true, name: false, photo: false, salary: false } },
          headers: { Authorization: `Bearer ${impostorToken}` },
          expect: [404],
        },
      ]),
    control: {
      kind: "publishable",
      calls: () => [
        {
          path: `/v1/stories/${b.stories.pending.id}`,
          body: { headline: "Bravo's own edit" },
          headers: { "Chorus-Edit-Token": b.stories.pending.editToken },
        },
      ],
      expect: 200,
    },
  },
  "DELETE /v1/stories/{id}": {
    kind: "addressed",
    calls: () =>
      storyIds().flatMap((story): Call[] => [
        { path: `/v1/stories/${story.id}`, headers: { "Chorus-Edit-Token": story.editToken } },
        { path: `/v1/stories/${story.id}`, headers: { Authorization: `Bearer ${impostorToken}` } },
      ]),
    control: {
      kind: "publishable",
      calls: () => [
        {
          path: `/v1/stories/${b.stories.anonymous.id}`,
          headers: { "Chorus-Edit-Token": b.stories.anonymous.editToken },
        },
      ],
      expect: 204,
    },
  },
  "PUT /v1/stories/{id}/photo": {
    kind: "addressed",
    calls: () =>
      storyIds().flatMap((story): Call[] => [
        // Bravo's own edit token in Alpha's hands does not reach Bravo's story either.
        {
          path: `/v1/stories/${story.id}/photo`,
          body: jpeg(64, 64),
          headers: { ...photoType, "Chorus-Edit-Token": story.editToken },
        },
        {
          path: `/v1/stories/${story.id}/photo`,
          body: jpeg(64, 64),
          headers: { ...photoType, Authorization: `Bearer ${impostorToken}` },
        },
      ]),
    control: {
      kind: "publishable",
      calls: () => [
        {
          path: `/v1/stories/${b.stories.pending.id}/photo`,
          body: jpeg(64, 64),
          headers: { ...photoType, "Chorus-Edit-Token": b.stories.pending.editToken },
        },
      ],
      expect: 200,
    },
  },
  "DELETE /v1/stories/{id}/photo": {
    kind: "addressed",
    calls: () =>
      storyIds().flatMap((story): Call[] => [
        { path: `/v1/stories/${story.id}/photo`, headers: { "Chorus-Edit-Token": story.editToken } },
        { path: `/v1/stories/${story.id}/photo`, headers: { Authorization: `Bearer ${impostorToken}` } },
      ]),
    control: {
      kind: "publishable",
      calls: () => [
        {
          path: `/v1/stories/${b.stories.pending.id}/photo`,
          headers: { "Chorus-Edit-Token": b.stories.pending.editToken },
        },
      ],
      expect: 200,
    },
  },
  "GET /v1/stories/{id}/verification": {
    kind: "addressed",
    calls: () =>
      storyIds().map((story) => ({
        path: `/v1/stories/${story.id}/verification`,
        headers: { "Chorus-Edit-Token": story.editToken },
      })),
    control: {
      kind: "publishable",
      calls: () => [{ path: `/v1/stories/${b.stories.approved.id}/verification` }],
      expect: 200,
    },
  },
  "GET /v1/outcomes": {
    kind: "own",
    calls: () => [{ path: "/v1/outcomes" }, { path: `/v1/outcomes?course=${b.course}` }],
  },
  "POST /v1/conversions": {
    kind: "own",
    calls: () => [
      // Bravo's orders cannot be refunded from Alpha.
      {
        path: "/v1/conversions",
        body: {
          id: "alpha-x-3",
          type: "refund",
          refundOf: b.conversions[0]?.conversion.externalId,
          customer: { id: "bravo-friend-1" },
        },
        expect: [400],
      },
      // Bravo's code, click and customer ids mean nothing in Alpha: recorded as Alpha's, unattributed.
      {
        path: "/v1/conversions",
        body: { id: "alpha-x-1", type: "enrollment", customer: { id: "alpha-x" }, code: b.learners[0].code },
        expect: [201, 200],
      },
      {
        path: "/v1/conversions",
        body: { id: "alpha-x-2", type: "signup", customer: { id: "alpha-y" }, clickId: b.clickIds[0] },
        expect: [201, 200],
      },
      {
        path: "/v1/conversions",
        body: { id: "alpha-x-4", type: "completion", customer: { id: "bravo-friend-1" }, course: b.sharedCourse },
        expect: [201, 200],
      },
    ],
  },
  // The same items in one batch: each is Alpha's alone, as when posted one by one.
  "POST /v1/conversions/batch": {
    kind: "own",
    calls: () => [
      {
        path: "/v1/conversions/batch",
        body: {
          conversions: [
            {
              id: "alpha-b-3",
              type: "refund",
              refundOf: b.conversions[0]?.conversion.externalId,
              customer: { id: "bravo-friend-1" },
            },
            { id: "alpha-b-1", type: "enrollment", customer: { id: "alpha-bx" }, code: b.learners[0].code },
            { id: "alpha-b-2", type: "signup", customer: { id: "alpha-by" }, clickId: b.clickIds[0] },
          ],
        },
        expect: [200],
      },
    ],
  },
  "GET /v1/conversions/{id}": {
    kind: "addressed",
    calls: () => bravoConversionIds().map((id) => ({ path: `/v1/conversions/${id}` })),
    control: {
      kind: "secret",
      calls: () => [{ path: `/v1/conversions/${b.conversions[0]?.conversion.id}` }],
      expect: 200,
    },
  },
  "GET /v1/admin/rewards": {
    kind: "own",
    calls: () => [
      { path: "/v1/admin/rewards" },
      { path: `/v1/admin/rewards?learner=${b.learners[0].sub}` },
      { path: `/v1/admin/rewards?conversion=${b.conversions[0]?.conversion.id}` },
      { path: `/v1/admin/rewards?cursor=${q(bravoCursors.rewards ?? "")}` },
    ],
  },
  ...Object.fromEntries(
    (["approve", "void", "issue"] as const).map((action) => [
      `POST /v1/admin/rewards/{id}/${action}`,
      {
        kind: "addressed",
        calls: () => b.rewardIds.map((id) => ({ path: `/v1/admin/rewards/${id}/${action}` })),
        control: {
          kind: "secret",
          calls: () => [{ path: `/v1/admin/rewards/${b.rewardIds[0]}/${action}` }],
          // The reward's status decides whether this action applies: found either way, never 404.
          expect: "200 or 409",
        },
      } satisfies Entry,
    ]),
  ),
  "GET /v1/admin/review": { kind: "own", calls: () => [{ path: "/v1/admin/review" }] },
  "POST /v1/admin/review/decisions": {
    kind: "addressed",
    calls: () =>
      (["approve", "void", "ban"] as const).map((action) => ({
        path: "/v1/admin/review/decisions",
        body: { conversionIds: [b.conversions[0]?.conversion.id], action, reason: "test" },
      })),
  },
  "POST /v1/admin/review/{id}/notes": {
    kind: "addressed",
    calls: () => [{ path: `/v1/admin/review/${b.conversions[0]?.conversion.id}/notes`, body: { body: "seen" } }],
  },
  "GET /v1/admin/blocks": { kind: "own", calls: () => [{ path: "/v1/admin/blocks" }] },
  "POST /v1/admin/blocks": {
    kind: "addressed",
    calls: () =>
      (["email", "network"] as const).map((kind) => ({
        path: "/v1/admin/blocks",
        body: { kind, conversionId: b.conversions[0]?.conversion.id, reason: "test" },
      })),
  },
  "DELETE /v1/admin/blocks/{id}": {
    kind: "addressed",
    // Bravo's ids of other things: never an Alpha block (Bravo's own blocks are ids of the same shape).
    calls: () => b.rewardIds.map((id) => ({ path: `/v1/admin/blocks/${id}` })),
  },
  "GET /v1/admin/audit": {
    kind: "own",
    calls: () => [{ path: "/v1/admin/audit" }, { path: "/v1/admin/audit?action=reward" }],
  },
  "GET /v1/admin/audit/export": { kind: "own", calls: () => [{ path: "/v1/admin/audit/export" }] },
  // Payouts (issue 18): due payouts, batches, payout methods and earnings are each workspace's own.
  "GET /v1/admin/payouts": { kind: "own", calls: () => [{ path: "/v1/admin/payouts" }] },
  "POST /v1/admin/payouts/batches": {
    kind: "own",
    calls: () => [
      {
        path: "/v1/admin/payouts/batches",
        body: { method: "paypal", currency: "INR", format: "paypal" },
        expect: [409],
      },
    ],
  },
  "GET /v1/admin/payouts/batches": { kind: "own", calls: () => [{ path: "/v1/admin/payouts/batches" }] },
  "GET /v1/admin/payouts/batches/{id}/file": {
    exempt:
      "a batch is addressed by its id and the rich tenants pay none: payouts.batches.test.ts pays a batch in one workspace and asks for its file with the other's key (404)",
  },
  "GET /v1/referrals/me/earnings": { kind: "own", calls: () => [{ path: "/v1/referrals/me/earnings" }] },
  "PUT /v1/referrals/me/payout-method": {
    kind: "own",
    calls: () => [{ path: "/v1/referrals/me/payout-method", body: { kind: "upi", details: "alpha@okaxis" } }],
  },
  "DELETE /v1/referrals/me/payout-method": {
    kind: "own",
    calls: () => [{ path: "/v1/referrals/me/payout-method", expect: [204] }],
  },
  "GET /v1/admin/webhooks": { kind: "own", calls: () => [{ path: "/v1/admin/webhooks" }] },
  "GET /v1/admin/mail": { kind: "own", calls: () => [{ path: "/v1/admin/mail" }] },
  "GET /v1/mail/unsubscribe": {
    exempt:
      "no credential: the link's token is signed by the server and names its one workspace and address (mail.outbox.test.ts refuses altered tokens)",
  },
  "POST /v1/mail/unsubscribe": {
    exempt:
      "no credential: the link's token is signed by the server and names its one workspace and address (mail.outbox.test.ts refuses altered tokens)",
  },
  "GET /p/{slug}": {
    exempt:
      "no key: the page names its workspace by slug, and its magic links and session cookies are checked against that workspace (advocate-page.sign-in.test.ts: a link or session of A never signs in to B)",
  },
  "POST /p/{slug}/sign-in": {
    exempt:
      "no key: the page names its workspace by slug, and its magic links and session cookies are checked against that workspace (advocate-page.sign-in.test.ts: a link or session of A never signs in to B)",
  },
  "GET /p/{slug}/link": {
    exempt:
      "no key: the page names its workspace by slug, and its magic links and session cookies are checked against that workspace (advocate-page.sign-in.test.ts: a link or session of A never signs in to B)",
  },
  "POST /p/{slug}/link": {
    exempt:
      "no key: the page names its workspace by slug, and its magic links and session cookies are checked against that workspace (advocate-page.sign-in.test.ts: a link or session of A never signs in to B)",
  },
  "POST /p/{slug}/sign-out": {
    exempt:
      "no key: the page names its workspace by slug, and its magic links and session cookies are checked against that workspace (advocate-page.sign-in.test.ts: a link or session of A never signs in to B)",
  },
  "POST /p/{slug}/payout-method": {
    exempt:
      "no key: the page names its workspace by slug and stores the method only for the learner of a session checked against that workspace (as sign-out; payouts.batches.test.ts)",
  },
  "POST /v1/admin/webhooks": {
    kind: "own",
    calls: () => [{ path: "/v1/admin/webhooks", body: { url: b.webhooks[0]?.url }, expect: [201] }],
  },
  "DELETE /v1/admin/webhooks/{id}": {
    kind: "addressed",
    calls: () => b.webhooks.map((hook) => ({ path: `/v1/admin/webhooks/${hook.id}` })),
    control: { kind: "secret", calls: () => [{ path: `/v1/admin/webhooks/${b.webhooks[1]?.id}` }], expect: 204 },
  },
  "GET /v1/admin/webhooks/{id}/deliveries": {
    kind: "addressed",
    calls: () => [
      ...b.webhooks.map((hook) => ({ path: `/v1/admin/webhooks/${hook.id}/deliveries` })),
      ...b.webhooks.map((hook) => ({ path: `/v1/admin/webhooks/${hook.id}/deliveries?event=${b.eventIds[0]}` })),
      // Alpha's own endpoint, Bravo's event and Bravo's cursor: Alpha's log only.
      {
        path: `/v1/admin/webhooks/${a.webhooks[0]?.id}/deliveries?event=${b.eventIds[0]}`,
        expect: [200],
      },
      {
        path: `/v1/admin/webhooks/${a.webhooks[0]?.id}/deliveries?cursor=${q(bravoCursors.deliveries ?? "")}`,
        expect: [200],
      },
    ],
    control: {
      kind: "session",
      calls: () => [{ path: `/v1/admin/webhooks/${b.webhooks[0]?.id}/deliveries` }],
      expect: 200,
    },
  },
  "POST /v1/admin/webhooks/{id}/resume": {
    kind: "addressed",
    calls: () => b.webhooks.map((hook) => ({ path: `/v1/admin/webhooks/${hook.id}/resume` })),
    control: { kind: "secret", calls: () => [{ path: `/v1/admin/webhooks/${b.webhooks[0]?.id}/resume` }], expect: 200 },
  },
  "POST /v1/admin/webhooks/{id}/deliveries/{eventId}/resend": {
    kind: "addressed",
    calls: () => [
      ...b.webhooks.map((hook) => ({ path: `/v1/admin/webhooks/${hook.id}/deliveries/${b.eventIds[0]}/resend` })),
      // Alpha's own endpoint with Bravo's event.
      ...b.eventIds.map((event) => ({ path: `/v1/admin/webhooks/${a.webhooks[0]?.id}/deliveries/${event}/resend` })),
    ],
    control: {
      kind: "secret",
      calls: () => [{ path: `/v1/admin/webhooks/${b.webhooks[0]?.id}/deliveries/${b.eventIds[0]}/resend` }],
      expect: 200,
    },
  },
  "POST /v1/integrations/{platform}/{id}": {
    kind: "own",
    // Authenticated by the connector's URL token, not by a key: Alpha's token does not open Bravo's connector.
    calls: () => {
      const purchase = (code: string) => [
        {
          id: `alpha-${code}`,
          type: "purchases",
          attributes: { amount_in_cents: 500, currency: "USD", coupon_code: code },
          relationships: {
            customer: { data: { id: "9", type: "customers" } },
            offer: { data: { id: "0", type: "offers" } },
          },
        },
        { id: "9", type: "customers", attributes: { email: "alpha-buyer@alpha.example" } },
      ];
      return [
        {
          path: `${b.connectors[0]?.path}?token=${a.connectors[0]?.token}`,
          body: purchase(a.learners[0].code),
          expect: [401],
        },
        {
          path: `${a.connectors[0]?.path}?token=${a.connectors[0]?.token}`,
          body: purchase(b.learners[0].code),
          expect: [200],
        },
        { path: `/v1/integrations/kajabi/${b.connectors[0]?.id}`, body: purchase(b.learners[0].code), expect: [401] },
      ];
    },
  },
  "POST /v1/clicks/{id}/email": {
    kind: "addressed",
    // Bravo's clicks are not Alpha's: the email is refused, and nothing is written to Bravo.
    calls: () =>
      b.clickIds.slice(0, 3).map((id) => ({ path: `/v1/clicks/${id}/email`, body: { email: "friend@alpha.example" } })),
  },
  "POST /v1/referred-by": {
    kind: "own",
    // Bravo's learners, by name and course and by email: Alpha's key asks only among Alpha's
    // learners (the answer is built from what was typed, and the row written is Alpha's).
    calls: () => [
      ...b.learners.map((learner) => ({
        path: "/v1/referred-by",
        body: { name: learner.name, course: b.course },
      })),
      { path: "/v1/referred-by", body: { email: `${b.learners[1].sub}@${b.label.toLowerCase()}.example` } },
    ],
  },
  "POST /v1/referred-by/confirm": {
    kind: "addressed",
    // A token Bravo's visitor was given for Bravo's learner: Alpha's key cannot confirm it.
    calls: () => [{ path: "/v1/referred-by/confirm", body: { token: bravoReferredByToken } }],
  },
  "GET /v1/admin/integrations": { kind: "own", calls: () => [{ path: "/v1/admin/integrations" }] },
  "POST /v1/admin/integrations": {
    kind: "own",
    calls: () => [
      { path: "/v1/admin/integrations", body: { platform: "kajabi", courses: { "0": b.course } }, expect: [201] },
    ],
  },
  "POST /v1/admin/integrations/test": {
    kind: "own",
    calls: () => [
      {
        path: "/v1/admin/integrations/test",
        body: {
          platform: "kajabi",
          courses: { "0": b.course },
          sample: [{ id: "1", type: "purchases", attributes: { coupon_code: b.learners[0].code } }],
        },
        expect: [200],
      },
    ],
  },
  "PATCH /v1/admin/integrations/{id}": {
    kind: "addressed",
    calls: () =>
      b.connectors.map((connector) => ({ path: `/v1/admin/integrations/${connector.id}`, body: { name: "taken" } })),
    control: {
      kind: "secret",
      calls: () => [{ path: `/v1/admin/integrations/${b.connectors[1]?.id}`, body: { name: "Bravo second" } }],
      expect: 200,
    },
  },
  "POST /v1/admin/integrations/{id}/rotate": {
    kind: "addressed",
    calls: () => b.connectors.map((connector) => ({ path: `/v1/admin/integrations/${connector.id}/rotate` })),
    control: {
      kind: "secret",
      calls: () => [{ path: `/v1/admin/integrations/${b.connectors[1]?.id}/rotate` }],
      expect: 200,
    },
  },
  "DELETE /v1/admin/integrations/{id}": {
    kind: "addressed",
    calls: () => b.connectors.map((connector) => ({ path: `/v1/admin/integrations/${connector.id}` })),
    control: { kind: "secret", calls: () => [{ path: `/v1/admin/integrations/${b.connectors[1]?.id}` }], expect: 204 },
  },
  "GET /v1/admin/integrations/{id}/events": {
    kind: "addressed",
    calls: () => b.connectors.map((connector) => ({ path: `/v1/admin/integrations/${connector.id}/events` })),
    control: {
      kind: "secret",
      calls: () => [{ path: `/v1/admin/integrations/${b.connectors[0]?.id}/events` }],
      expect: 200,
    },
  },
  "POST /v1/integrations/stripe": {
    kind: "own",
    // Authenticated by Stripe's signature, not by a key: Alpha's signing secret does not open Bravo.
    calls: () => {
      const checkout = (reference: string) =>
        JSON.stringify({
          id: `evt_${reference}`,
          type: "checkout.session.completed",
          created: Math.floor(t.clock.now().getTime() / 1000) - 10,
          data: {
            object: {
              id: `cs_${reference}`,
              client_reference_id: reference,
              customer: "cus_alpha",
              amount_total: 1000,
              currency: "inr",
            },
          },
        });
      const signed = (workspace: string, body: string, expect: number[]) => ({
        path: `/v1/integrations/stripe?workspace=${workspace}`,
        body,
        headers: { "Stripe-Signature": stripeSignature(body, t.clock.now(), a.stripeSecret) },
        expect,
      });
      return [
        signed(b.ws.id, checkout(b.learners[0].code), [401]),
        signed(a.ws.id, checkout(b.learners[0].code), [200]),
        signed(a.ws.id, checkout(b.clickIds[0] ?? ""), [200]),
      ];
    },
  },
  ...Object.fromEntries(
    (
      [
        ["funnel", () => [`?${analyticsRange}`]],
        [
          "breakdown",
          () =>
            ["channel", "course", "advocate", "story", "country", "day"].map(
              (dimension) => `?${analyticsRange}&dimension=${dimension}`,
            ),
        ],
        ["k-factor", () => [`?${analyticsRange}`]],
        ["time-to-convert", () => [`?${analyticsRange}`]],
        ["advocates", () => [`?${analyticsRange}`]],
        ["timeseries", () => [`?${analyticsRange}&interval=week`]],
        [
          "export.csv",
          () =>
            ["clicks", "conversions", "rewards", "stories"].map((dataset) => `?${analyticsRange}&dataset=${dataset}`),
        ],
        [
          "conversions",
          () => [
            "",
            "?q=bravo",
            `?q=${q(b.conversions[0]?.conversion.externalId ?? "")}`,
            `?cursor=${q(bravoCursors.conversions ?? "")}`,
          ],
        ],
      ] as [string, () => string[]][]
    ).map(([name, queries]) => [
      `GET /v1/analytics/${name}`,
      {
        kind: "own",
        // Each range query also with Bravo's own course slug.
        calls: () =>
          queries()
            .flatMap((query) => (query.includes("from=") ? [query, `${query}&course=${b.course}`] : [query]))
            .map((query) => ({ path: `/v1/analytics/${name}${query}` })),
      } satisfies Entry,
    ]),
  ),
  "GET /v1/admin/stories": {
    kind: "own",
    calls: () => [
      { path: "/v1/admin/stories" },
      { path: "/v1/admin/stories?status=pending" },
      { path: `/v1/admin/stories?course=${b.course}` },
      { path: `/v1/admin/stories?cursor=${q(bravoCursors.adminStories ?? "")}` },
    ],
  },
  "GET /v1/admin/stories/{id}/photo": {
    kind: "addressed",
    calls: () => storyIds().map((story) => ({ path: `/v1/admin/stories/${story.id}/photo` })),
  },
  // Bravo's course beside Alpha's: checked against Alpha's courses and Alpha's imported rows only.
  ...Object.fromEntries(
    ["/v1/admin/stories/imports/preview", "/v1/admin/stories/imports"].map((path) => [
      `POST ${path}`,
      {
        kind: "own",
        calls: () => [
          {
            path,
            headers: { "Content-Type": "text/csv" },
            body:
              "name,headline,body,rating,date,course,outcome,consent_publish,consent_name,consent_photo\r\n" +
              `Alpha Import,From Alpha,Alpha's own words,5,2025-01-01,${a.course},skills,yes,yes,no\r\n` +
              `Alpha Import,Bravo's course,Alpha's own words,5,2025-01-01,${b.course},skills,yes,yes,no\r\n`,
          },
        ],
      } satisfies Entry,
    ]),
  ),
  "DELETE /v1/admin/stories/{id}": {
    kind: "addressed",
    calls: () => storyIds().map((story) => ({ path: `/v1/admin/stories/${story.id}` })),
  },
  "GET /v1/admin/stories/{id}/video": {
    kind: "addressed",
    calls: () => storyIds().map((story) => ({ path: `/v1/admin/stories/${story.id}/video` })),
  },
  "GET /v1/admin/stories/{id}/poster": {
    kind: "addressed",
    calls: () => storyIds().map((story) => ({ path: `/v1/admin/stories/${story.id}/poster` })),
  },
  "PUT /v1/stories/{id}/video": {
    kind: "addressed",
    // Even with Bravo's own edit token, Alpha's key does not reach Bravo's story (refused before the body is read).
    calls: () =>
      storyIds().map((story) => ({
        path: `/v1/stories/${story.id}/video`,
        body: "not a video",
        headers: { "Chorus-Edit-Token": story.editToken },
      })),
  },
  "PUT /v1/stories/{id}/poster": {
    kind: "addressed",
    calls: () =>
      storyIds().map((story) => ({
        path: `/v1/stories/${story.id}/poster`,
        body: "not an image",
        headers: { "Chorus-Edit-Token": story.editToken },
      })),
  },
  "GET /v1/story-videos/{id}/{hash}": {
    exempt:
      "a published story's video for <video> on any page, no credential: served only while the story is approved and the path carries its content hash",
  },
  "GET /v1/story-posters/{id}/{hash}": {
    exempt:
      "a published video's poster for <img> on any page, no credential: served only while the story is approved and the path carries its content hash",
  },
  "GET /v1/stories/{id}/captions.vtt": {
    exempt:
      "a published video story's captions for <track> on any page, no credential: only an approved story's transcript, which its wall shows anyway",
  },
  "GET /v1/story-photos/{id}/{hash}": {
    exempt:
      "a published story's photo for <img> on any page, no credential: served only while the story is approved with photo consent and the path carries its content hash",
  },
  "PATCH /v1/admin/stories/{id}": {
    kind: "addressed",
    calls: () =>
      storyIds().flatMap((story) => [
        { path: `/v1/admin/stories/${story.id}`, body: { status: "rejected" } },
        { path: `/v1/admin/stories/${story.id}`, body: { featured: true, tags: ["alpha-was-here"] } },
      ]),
    control: {
      kind: "secret",
      calls: () => [{ path: `/v1/admin/stories/${b.stories.approved.id}`, body: { tags: ["bravo-own"] } }],
      expect: 200,
    },
  },
  "POST /v1/dashboard/links": {
    exempt:
      "asks for a sign-in link by address, without a credential: answers 202 alike to everybody and mails only that address's own memberships (tests/api/dashboard.session.test.ts)",
  },
  "POST /v1/dashboard/links/use": {
    exempt:
      "a one-time link's token names its member and workspace; no credential is involved (dashboard.session.test.ts)",
  },
  "POST /v1/dashboard/passkey/options": { exempt: "a fresh WebAuthn challenge, the same for everybody, no data" },
  "POST /v1/dashboard/passkey": {
    exempt: "the passkey names its member and workspace; no credential is involved (team.passkeys.test.ts)",
  },
  "GET /v1/admin/members": { kind: "own", calls: () => [{ path: "/v1/admin/members" }] },
  "POST /v1/admin/members": {
    kind: "own",
    // Bravo's owner's address invited into Alpha: a member of Alpha (or already one), never of Bravo.
    calls: () => [
      { path: "/v1/admin/members", body: { email: "bravo-owner@example.org", role: "viewer" }, expect: [201, 409] },
    ],
  },
  "PATCH /v1/admin/members/{id}": {
    kind: "addressed",
    calls: () => [{ path: `/v1/admin/members/${bravoMemberId}`, body: { role: "owner" } }],
    control: {
      kind: "secret",
      calls: () => [{ path: `/v1/admin/members/${bravoMemberId}`, body: { role: "owner" } }],
      expect: 200,
    },
  },
  "DELETE /v1/admin/members/{id}": {
    kind: "addressed",
    calls: () => [{ path: `/v1/admin/members/${bravoMemberId}` }],
    // Bravo's only owner: found (not 404), and kept.
    control: { kind: "secret", calls: () => [{ path: `/v1/admin/members/${bravoMemberId}` }], expect: 409 },
  },
  "GET /v1/dashboard/passkeys": {
    kind: "own",
    calls: () => [{ path: "/v1/dashboard/passkeys", expect: [200, 403] }],
  },
  "POST /v1/dashboard/passkeys/options": {
    kind: "own",
    calls: () => [{ path: "/v1/dashboard/passkeys/options", expect: [200, 403] }],
  },
  "POST /v1/dashboard/passkeys": {
    kind: "own",
    calls: () => [{ path: "/v1/dashboard/passkeys", body: { challengeId: "wac_x", response: {} }, expect: [401, 403] }],
  },
  "DELETE /v1/dashboard/passkeys/{id}": {
    kind: "addressed",
    // Bravo has no passkey to name; the query is scoped to the signed-in member and workspace.
    calls: () => [{ path: "/v1/dashboard/passkeys/bravo-passkey", expect: [403, 404] }],
  },
  // The signed-in member's own password: no id in the path or body names anyone else.
  "GET /v1/dashboard/password": { kind: "own", calls: () => [{ path: "/v1/dashboard/password", expect: [200, 403] }] },
  "PUT /v1/dashboard/password": {
    kind: "own",
    calls: () => [
      { path: "/v1/dashboard/password", body: { password: "alpha's own long password" }, expect: [200, 403] },
    ],
  },
  "DELETE /v1/dashboard/password": {
    kind: "own",
    calls: () => [{ path: "/v1/dashboard/password", expect: [200, 403, 404] }],
  },
  "POST /v1/dashboard/password/sign-in": {
    exempt:
      "an address and its password name the member and workspace; no credential is involved (an address in two workspaces: team.passwords.test.ts)",
  },
  "GET /v1/dashboard/session": { kind: "own", calls: () => [{ path: "/v1/dashboard/session" }] },
  "DELETE /v1/dashboard/session": { kind: "own", calls: () => [{ path: "/v1/dashboard/session" }] },

  // Being added on another branch: checked as soon as the app serves them.
  "GET /v1/learners/{id}": {
    kind: "addressed",
    whenPresent: true,
    // (Not Bravo's first learner's id: the impostor token made an Alpha learner with that id, Alpha's own.)
    calls: () => bravoLearnerIds().map((id) => ({ path: `/v1/learners/${q(id)}` })),
    // By the provider's learner id or by Chorus's: at least one of the two finds the learner.
    control: {
      kind: "secret",
      calls: () => [b.learners[1].sub, b.learners[1].id].map((id) => ({ path: `/v1/learners/${q(id)}` })),
      expect: "some 200",
    },
  },
  "DELETE /v1/learners/{id}": {
    kind: "addressed",
    whenPresent: true,
    calls: () => bravoLearnerIds().map((id) => ({ path: `/v1/learners/${q(id)}` })),
  },
};

/** A learner token Alpha signed, naming Bravo's first learner (and author of Bravo's approved story). */
let impostorToken = "";

// ---------------------------------------------------------------------------------------------
// Route inventory and matching
// ---------------------------------------------------------------------------------------------

const shape = (key: string) => key.replace(/\{[^}]+\}/g, "{}");
const methods = ["get", "post", "put", "patch", "delete", "head"];

/** Every route the app serves: its OpenAPI operations and the routes of its router. */
function inventory(): string[] {
  const found = new Set<string>();
  for (const [path, item] of Object.entries(openapi.paths)) {
    for (const method of Object.keys(item)) if (methods.includes(method)) found.add(`${method.toUpperCase()} ${path}`);
  }
  for (const route of t.app.routes) {
    if (route.method === "ALL" || route.path.includes("*")) continue;
    found.add(`${route.method} ${route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`);
  }
  // The same route may be named with other parameter names in the two sources: keep one.
  const byShape = new Map<string, string>();
  for (const key of found) if (!byShape.has(shape(key))) byShape.set(shape(key), key);
  return [...byShape.values()].sort();
}

function entryFor(key: string): Entry | undefined {
  return Object.entries(routes).find(([name]) => shape(name) === shape(key))?.[1];
}

/** The credentials an operation's OpenAPI `security` accepts (none listed: a public route). */
function acceptedKinds(key: string): CredentialKind[] {
  const [method, path] = key.split(" ") as [string, string];
  const operation = Object.entries(openapi.paths).find(([name]) => shape(name) === shape(path))?.[1]?.[
    method.toLowerCase()
  ];
  const security = operation?.security;
  if (!security || security.length === 0) return [...credentialKinds];
  const provides: Record<CredentialKind, string[]> = {
    secret: ["secretKey"],
    publishable: ["publishableKey"],
    learner: ["publishableKey", "learnerToken"],
    session: ["dashboardSession"],
  };
  return credentialKinds.filter((kind) =>
    security.some((requirement) => Object.keys(requirement).every((scheme) => provides[kind].includes(scheme))),
  );
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/**
 * Bravo strings that Alpha itself has sent (a course slug, an order id, a URL): Alpha may store
 * them as its own, so from then on they prove nothing when Alpha's answers show them.
 */
const sentByAlpha = new Set<string>();

/**
 * The Bravo strings in a text, leaving out those the request itself carried, and texts built
 * around something Alpha sent (a sentence naming a course slug Alpha used is about Alpha's own).
 */
function leaks(text: string, request: string): string[] {
  const sent = (value: string) => request.includes(value) || sentByAlpha.has(value);
  return bravoStrings.filter(
    (value) =>
      text.includes(value) &&
      !sent(value) &&
      !bravoStrings.some((part) => part !== value && value.includes(part) && sent(part)),
  );
}

async function call(method: string, probe: Call, headers: Record<string, string>) {
  const request = `${probe.path}\n${JSON.stringify(probe.body ?? null)}\n${JSON.stringify(probe.headers ?? {})}`;
  for (const value of bravoStrings) if (request.includes(value)) sentByAlpha.add(value);
  const response = await t.call(method, probe.path, { body: probe.body, headers: { ...headers, ...probe.headers } });
  const text = await response.text();
  const headerText = [...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n");
  return { status: response.status, text, headerText, requestId: response.headers.get("X-Request-Id") };
}

function expectEnvelope(answer: { status: number; text: string; requestId: string | null }, label: string) {
  let body: { error?: { code?: unknown; message?: unknown; requestId?: unknown } };
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw new Error(`${label}: ${answer.status} without a JSON envelope: ${answer.text.slice(0, 200)}`);
  }
  expect(typeof body.error?.code, label).toBe("string");
  expect(typeof body.error?.message, label).toBe("string");
  expect(body.error?.requestId, label).toBe(answer.requestId);
}

function diff(before: Dump, after: Dump): string[] {
  const changes: string[] = [];
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = new Set((before[table] ?? []).map((row) => JSON.stringify(row)));
    const now = new Set((after[table] ?? []).map((row) => JSON.stringify(row)));
    for (const row of was) if (!now.has(row)) changes.push(`${table}: lost or changed ${row}`);
    for (const row of now) if (!was.has(row)) changes.push(`${table}: new or changed ${row}`);
  }
  return changes;
}

/** Every credential of Alpha on every call of the entry; Bravo's rows are compared around them. */
async function probe(key: string, entry: Exclude<Entry, { exempt: string }>) {
  const method = key.split(" ")[0] as string;
  const accepted = acceptedKinds(key);
  const before = await workspaceDump(t, b.ws.id);
  let reached = 0;
  for (const probeCall of entry.calls()) {
    for (const kind of credentialKinds) {
      const headers = credential(a, kind);
      const label = `${key} ${probeCall.path} as Alpha's ${kind}`;
      const answer = await call(method, probeCall, headers);
      expect(answer.status, `${label}: ${answer.text.slice(0, 300)}`).toBeLessThan(500);
      if (answer.status >= 400) expectEnvelope(answer, label);
      const request = `${probeCall.path}\n${JSON.stringify(probeCall.body ?? null)}\n${JSON.stringify({ ...headers, ...probeCall.headers })}`;
      expect(leaks(`${answer.text}\n${answer.headerText}`, request), `${label} answered with Bravo's data`).toEqual([]);
      if (accepted.includes(kind)) {
        const allowed = probeCall.expect ?? (entry.kind === "addressed" ? [404] : [200, 201, 202, 204]);
        expect(allowed, `${label}: ${answer.status} ${answer.text.slice(0, 300)}`).toContain(answer.status);
        reached++;
      } else if (entry.kind === "addressed") {
        expect([401, 403, 404], `${label}: ${answer.text.slice(0, 300)}`).toContain(answer.status);
      }
    }
  }
  // Some credential got past authentication on every entry: the check ran where it matters.
  expect(reached, `${key}: no credential of Alpha is accepted here`).toBeGreaterThan(0);
  expect(diff(before, await workspaceDump(t, b.ws.id)), `${key} changed Bravo's rows`).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe("coverage", () => {
  it("every route the app serves has an isolation entry or an exemption with a reason", () => {
    const missing = inventory().filter((key) => !entryFor(key));
    expect(missing, "routes without an entry in tenants.isolation.test.ts").toEqual([]);
    for (const [key, entry] of Object.entries(routes)) {
      if ("exempt" in entry) expect(entry.exempt.length, `${key} needs a reason`).toBeGreaterThan(10);
    }
  });

  it("every entry names a route that exists (entries for routes still to come excepted)", () => {
    const served = new Set(inventory().map(shape));
    const stale = Object.entries(routes)
      .filter(([key, entry]) => !served.has(shape(key)) && !("whenPresent" in entry && entry.whenPresent))
      .map(([key]) => key);
    expect(stale).toEqual([]);
  });

  it("every table with tenant data carries workspace_id, so the dump sees all of it", async () => {
    const unscoped = (await tableNames(t)).filter((table) => !table.scoped).map((table) => table.name);
    expect(unscoped.filter((name) => !(name in unscopedTables))).toEqual([]);
  });

  it("both workspaces hold rich data, and Bravo's identifying strings are many", async () => {
    const dump = await workspaceDump(t, b.ws.id);
    for (const table of [
      "learners",
      "referral_codes",
      "clicks",
      "share_events",
      "conversions",
      "rewards",
      "stories",
      "webhook_endpoints",
      "webhook_events",
      "webhook_deliveries",
      "courses",
      "analytics_daily",
      "analytics_delays",
      "integration_connectors",
      "integration_events",
    ]) {
      expect(dump[table]?.length ?? 0, table).toBeGreaterThan(0);
    }
    const statuses = new Set((dump.stories ?? []).map((row) => row.status));
    expect(statuses).toEqual(new Set(["approved", "pending"]));
    expect(new Set((dump.webhook_deliveries ?? []).map((row) => row.status))).toEqual(
      new Set(["delivered", "pending"]),
    );
    expect((dump.referral_codes ?? []).some((row) => row.kind === "vanity")).toBe(true);
    expect(bravoStrings.length).toBeGreaterThan(50);
    for (const value of [b.learners[0].code, b.vanity.code, b.stories.approved.id, b.ws.id, "Bravo Advocate One"]) {
      expect(bravoStrings).toContain(value);
    }
  });
});

describe("Alpha's lists, analytics and exports hold nothing of Bravo's", () => {
  it("every own-namespace read, with every credential of Alpha, answers without any Bravo string", async () => {
    impostorToken = await learnerToken(
      a.ws,
      { sub: b.learners[0].sub, name: "Impostor" },
      { now: t.clock.now(), ttlSeconds: 30 * 86_400 },
    );
    let reads = 0;
    for (const [key, entry] of Object.entries(routes)) {
      if ("exempt" in entry || entry.kind !== "own" || !key.startsWith("GET ")) continue;
      for (const probeCall of entry.calls()) {
        for (const kind of credentialKinds) {
          const answer = await call("GET", probeCall, credential(a, kind));
          if (answer.status !== 200) continue;
          reads++;
          const request = `${probeCall.path}`;
          expect(leaks(`${answer.text}\n${answer.headerText}`, request), `${key} ${probeCall.path} as ${kind}`).toEqual(
            [],
          );
        }
      }
    }
    expect(reads).toBeGreaterThan(40);
  });

  it("Alpha's figures do not move when Bravo's program is busy", async () => {
    const reads = Object.entries(routes).flatMap(([key, entry]) =>
      "exempt" in entry ||
      entry.kind !== "own" ||
      !key.startsWith("GET ") ||
      key.includes("session") ||
      // The signed-in member's own passkeys and password: the secret key has none (403).
      key.includes("/v1/dashboard/")
        ? []
        : entry.calls().map((probeCall) => probeCall.path),
    );
    const snapshot = async () => {
      const answers: Record<string, string> = {};
      for (const path of reads) {
        const answer = await call(
          "GET",
          { path },
          path.startsWith("/v1/referrals/me") || path.startsWith("/v1/stories/mine")
            ? credential(a, "learner", 0)
            : credential(
                a,
                path.startsWith("/v1/stories") || path.startsWith("/v1/outcomes") ? "publishable" : "secret",
              ),
        );
        answers[path] = `${answer.status} ${answer.text}`;
      }
      return answers;
    };
    await snapshot(); // settles Alpha's own due rewards
    const before = await snapshot();
    // Bravo: more clicks (one from the same browser as Alpha's visitors), shares, conversions, stories.
    const visitor = browser();
    for (const code of codes()) {
      await t.call("GET", `/r/${code}?ch=facebook`, { headers: { ...visitor, "CF-IPCountry": "IN" } });
      await t.call("POST", "/v1/events", {
        body: { type: "share", channel: "telegram", code: b.learners[0].code },
        headers: credential(b, "learner"),
      });
    }
    for (const [index, code] of codes().entries()) {
      await t.call("POST", "/v1/conversions", {
        body: {
          id: `bravo-busy-${index}`,
          type: "enrollment",
          customer: { id: `alpha-friend-${index}` },
          course: a.sharedCourse,
          amount: 100_000,
          currency: "INR",
          code,
        },
        headers: credential(b, "secret"),
      });
    }
    const story = await t.call("POST", "/v1/stories", {
      body: storyBody({ course: a.sharedCourse, headline: "Bravo busy headline" }),
      headers: credential(b, "publishable"),
    });
    const storyId = ((await story.json()) as { id: string }).id;
    await t.call("PATCH", `/v1/admin/stories/${storyId}`, {
      body: { status: "approved" },
      headers: credential(b, "secret"),
    });
    const after = await snapshot();
    for (const path of reads) expect(after[path], path).toBe(before[path]);
  });
});

describe("route by route: Alpha's credentials on Bravo's resources", () => {
  for (const [key, entry] of Object.entries(routes)) {
    if ("exempt" in entry) continue;
    it(`${key} (${entry.kind})`, async (context) => {
      impostorToken ||= await learnerToken(
        a.ws,
        { sub: b.learners[0].sub, name: "Impostor" },
        { now: t.clock.now(), ttlSeconds: 30 * 86_400 },
      );
      if (!inventory().some((served) => shape(served) === shape(key))) {
        if (entry.whenPresent) context.skip();
        throw new Error(`${key} is not served`);
      }
      await probe(key, entry);
    });
  }

  it("the same calls with Bravo's own credential do reach Bravo's resources (the probes are live)", async () => {
    let controls = 0;
    for (const [key, entry] of Object.entries(routes)) {
      if ("exempt" in entry || !entry.control) continue;
      if (!inventory().some((served) => shape(served) === shape(key))) continue;
      const method = key.split(" ")[0] as string;
      const statuses: number[] = [];
      for (const probeCall of entry.control.calls()) {
        const answer = await call(method, probeCall, credential(b, entry.control.kind));
        statuses.push(answer.status);
        if (entry.control.expect === "200 or 409")
          expect([200, 409], `${key}: ${answer.text}`).toContain(answer.status);
        else if (typeof entry.control.expect === "number")
          expect(answer.status, `${key}: ${answer.text}`).toBe(entry.control.expect);
        controls++;
      }
      if (entry.control.expect === "some 200") expect(statuses, key).toContain(200);
    }
    expect(controls).toBeGreaterThanOrEqual(15);
  });
});

describe("attacks that need more than one call", () => {
  const get = async (path: string, kind: CredentialKind = "secret", tenant = a) => {
    const response = await t.call("GET", path, { headers: credential(tenant, kind) });
    expect(response.status, path).toBe(200);
    return response.json();
  };
  const clickRow = async (id: string) =>
    (await t.client.execute({ sql: "select workspace_id, story_id from clicks where id = ?", args: [id] })).rows[0];

  it("a learner token of Alpha's learner X reads X's referral only, never learner Y's", async () => {
    const [x, y] = a.learners;
    const yBefore = await learnerRows(y.id);
    const response = await t.call("POST", "/v1/referrals/me", { body: {}, headers: credential(a, "learner", 0) });
    expect(response.status).toBe(200);
    const text = await response.text();
    const mine = JSON.parse(text) as { code: string; rewards: { id: string }[] };
    expect(mine.code).toBe(x.code);
    const yRewards = (
      await t.client.execute({ sql: "select id from rewards where learner_id = ?", args: [y.id] })
    ).rows.map((row) => String(row.id));
    expect(yRewards.length).toBeGreaterThan(0);
    for (const value of [y.code, y.id, y.name, y.sub, ...yRewards]) expect(text).not.toContain(value);
    const xRewards = (
      await t.client.execute({
        sql: "select id from rewards where learner_id = ? and side = 'referrer'",
        args: [x.id],
      })
    ).rows.map((row) => String(row.id));
    expect(mine.rewards.map((reward) => reward.id).sort()).toEqual(xRewards.sort());

    // X cannot share Y's code, nor edit, withdraw or read the receipt of Y's pending story.
    const asX = credential(a, "learner", 0);
    const share = await t.call("POST", "/v1/events", {
      body: { type: "share", channel: "email", code: y.code },
      headers: asX,
    });
    expect(share.status).toBe(404);
    const pending = a.stories.pending.id;
    expect(
      (await t.call("PATCH", `/v1/stories/${pending}`, { body: { headline: "X was here" }, headers: asX })).status,
    ).toBe(403);
    expect((await t.call("DELETE", `/v1/stories/${pending}`, { headers: asX })).status).toBe(403);
    expect((await t.call("GET", `/v1/stories/${pending}/verification`, { headers: asX })).status).toBe(404);
    // Y's own token does reach them (the checks above are about who asks).
    const asY = credential(a, "learner", 1);
    expect((await t.call("GET", `/v1/stories/${pending}/verification`, { headers: asY })).status).toBe(200);
    expect(await learnerRows(y.id)).toEqual(yBefore);
  });

  it("a learner token Alpha signed does not act in Bravo, even beside Bravo's public key", async () => {
    // Bravo's publishable key is public (it is in Bravo's pages); Alpha's token names Bravo's learner.
    const forged = await learnerToken(
      a.ws,
      { sub: b.learners[0].sub, name: "Forged" },
      { now: t.clock.now(), ttlSeconds: 3600 },
    );
    const asBravoWidget = browser({
      "Chorus-Key": b.ws.publishableKey,
      Origin: b.origin,
      Authorization: `Bearer ${forged}`,
    });
    const before = await workspaceDump(t, b.ws.id);
    const attempts: [string, string, unknown][] = [
      ["POST", "/v1/referrals/me", {}],
      ["POST", "/v1/events", { type: "share", channel: "x", code: b.learners[0].code }],
      ["POST", "/v1/stories", storyBody({ course: b.course })],
      ["PATCH", `/v1/stories/${b.stories.approved.id}`, { headline: "Forged" }],
      ["DELETE", `/v1/stories/${b.stories.approved.id}`, undefined],
      ["GET", `/v1/stories/${b.stories.pending.id}/verification`, undefined],
    ];
    for (const [method, path, body] of attempts) {
      const response = await t.call(method, path, { body, headers: asBravoWidget });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
    expect(diff(before, await workspaceDump(t, b.ws.id))).toEqual([]);
  });

  it("Alpha's credentials on Bravo's public link change nothing: the click counts for Bravo, not Alpha", async () => {
    for (const kind of credentialKinds) {
      const response = await t.call("GET", `/r/${b.learners[1].code}?ch=sms`, {
        headers: { ...browser(), ...credential(a, kind) },
      });
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get("Location") ?? "");
      expect(location.origin).toBe(b.origin);
      const clickId = location.searchParams.get("chorus_cid");
      expect(clickId).toBeTruthy();
      expect((await clickRow(clickId ?? ""))?.workspace_id).toBe(b.ws.id);
    }
  });

  it("a dashboard session cookie names no workspace: altered, it opens nothing; as is, only Alpha", async () => {
    const value = a.session.slice("chorus_session=".length);
    expect(value).not.toContain(a.ws.id);
    const altered = `chorus_session=${value.slice(0, -1)}${value.endsWith("A") ? "B" : "A"}`;
    const response = await t.call("GET", "/v1/admin/rewards", { headers: { Cookie: altered } });
    expect(response.status).toBe(401);
    const own = await t.call("GET", `/v1/admin/rewards?workspace=${b.ws.id}`, { headers: { Cookie: a.session } });
    expect(await own.text()).not.toContain(b.rewardIds[0] ?? "-");
  });

  it("Bravo's codes, clicks and customers never attribute a conversion of Alpha's", async () => {
    for (const [index, reference] of [
      { code: b.learners[0].code },
      { code: b.vanity.code.toUpperCase() },
      { clickId: b.clickIds[1] },
      { clickId: b.clickIds[4], code: b.learners[1].code },
    ].entries()) {
      const response = await t.call("POST", "/v1/conversions", {
        body: {
          id: `alpha-foreign-${index}`,
          type: "enrollment",
          customer: { id: `alpha-foreign-${index}` },
          ...reference,
        },
        headers: credential(a, "secret"),
      });
      expect(response.status).toBe(201);
      const answer = (await response.json()) as { attribution: { status: string }; rewards: unknown[] };
      expect(answer.attribution.status).toBe("unattributed");
      expect(answer.rewards).toEqual([]);
    }
    // Bravo's customer, already referred in Bravo, is a stranger to Alpha (no sticky attribution).
    const response = await t.call("POST", "/v1/conversions", {
      body: { id: "alpha-foreign-customer", type: "enrollment", customer: { id: "bravo-friend-1" } },
      headers: credential(a, "secret"),
    });
    expect(((await response.json()) as { attribution: { status: string } }).attribution.status).toBe("unattributed");
  });

  it("a conversion of Alpha's that names Bravo's click id takes nothing from that click", async () => {
    const range = `?${analyticsRange}`;
    const countryBefore = await get(`/v1/analytics/breakdown${range}&dimension=country`);
    const delaysBefore = await get(`/v1/analytics/time-to-convert${range}`);
    const bravoClick = b.clickIds[0] ?? "";
    const response = await t.call("POST", "/v1/conversions", {
      body: {
        id: "alpha-foreign-click",
        type: "enrollment",
        customer: { id: "alpha-foreign-click-customer" },
        course: a.course,
        amount: 5_000,
        currency: "INR",
        code: a.learners[1].code,
        clickId: bravoClick,
      },
      headers: credential(a, "secret"),
    });
    expect(response.status).toBe(201);
    const answer = (await response.json()) as { attribution: { status: string; clickId: string | null } };
    // Attributed by Alpha's own code; Bravo's click is not Alpha's to keep.
    expect(answer.attribution.status).toBe("attributed");
    expect(answer.attribution.clickId).toBeNull();
    const [row] = (
      await t.client.execute({ sql: "select click_id from conversions where external_id = 'alpha-foreign-click'" })
    ).rows;
    expect(row?.click_id).toBeNull();
    // Bravo's click's country and time do not reach Alpha's figures.
    const countryAfter = (await get(`/v1/analytics/breakdown${range}&dimension=country`)) as {
      items: { key: string | null }[];
    };
    expect(countryAfter.items.map((item) => item.key)).not.toContain("DE");
    expect(countryAfter.items.map((item) => item.key).sort()).toEqual(
      (countryBefore as { items: { key: string | null }[] }).items.map((item) => item.key).sort(),
    );
    expect(await get(`/v1/analytics/time-to-convert${range}`)).toEqual(delaysBefore);
  });

  it("a click on Alpha's link that names Bravo's story is not credited to that story", async () => {
    const bravoStory = b.stories.approved.id;
    const redirect = await t.call("GET", `/r/${a.learners[1].code}?ch=linkedin&s=${bravoStory}`, {
      headers: browser(),
    });
    const redirectClick = new URL(redirect.headers.get("Location") ?? "").searchParams.get("chorus_cid") ?? "";
    expect(await clickRow(redirectClick)).toMatchObject({ workspace_id: a.ws.id, story_id: null });
    const beacon = await t.call("POST", "/v1/clicks", {
      body: { code: a.learners[1].code, channel: "x", storyId: bravoStory },
      headers: credential(a, "publishable"),
    });
    expect(beacon.status).toBe(201);
    const beaconClick = ((await beacon.json()) as { clickId: string }).clickId;
    expect(await clickRow(beaconClick)).toMatchObject({ workspace_id: a.ws.id, story_id: null });
    const stories = (await get(`/v1/analytics/breakdown?${analyticsRange}&dimension=story`)) as {
      items: { key: string | null }[];
    };
    expect(stories.items.map((item) => item.key)).not.toContain(bravoStory);
    // Alpha's own story is still credited.
    const own = await t.call("GET", `/r/${a.learners[0].code}?ch=linkedin&s=${a.stories.approved.id}`, {
      headers: browser(),
    });
    const ownClick = new URL(own.headers.get("Location") ?? "").searchParams.get("chorus_cid") ?? "";
    expect(await clickRow(ownClick)).toMatchObject({ story_id: a.stories.approved.id });
  });
});

describe("webhooks", () => {
  it("each endpoint receives only its own workspace's events, signed with its own secret", async () => {
    const alphaStrings = tenantStrings(await workspaceDump(t, a.ws.id), await workspaceDump(t, b.ws.id), "Alpha");
    // Fresh events on both sides: a conversion, a story approval.
    for (const tenant of [a, b]) {
      const response = await t.call("POST", "/v1/conversions", {
        body: {
          id: `${tenant.label.toLowerCase()}-hooked`,
          type: "enrollment",
          customer: { id: `${tenant.label.toLowerCase()}-hooked-customer` },
          code: tenant.learners[1].code,
          course: tenant.course,
          amount: 10_000,
          currency: "INR",
        },
        headers: credential(tenant, "secret"),
      });
      expect(response.status).toBe(201);
    }
    const sent: { url: string; headers: Headers; body: string }[] = [];
    await deliverDueWebhooks(
      { db: t.db, clock: t.clock },
      {
        fetch: (async (url: string, init: RequestInit) => {
          sent.push({ url: String(url), headers: new Headers(init.headers), body: String(init.body) });
          return new Response("", { status: 200 });
        }) as typeof fetch,
      },
    );
    expect(sent.length).toBeGreaterThanOrEqual(2);
    const endpoints = (await t.client.execute("select id, workspace_id, url, secret from webhook_endpoints")).rows;
    for (const request of sent) {
      const eventId = request.headers.get("Chorus-Event-Id") ?? "";
      const [event] = (
        await t.client.execute({ sql: "select workspace_id from webhook_events where id = ?", args: [eventId] })
      ).rows;
      const [, stamp, mac] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(request.headers.get("Chorus-Signature") ?? "") ?? [];
      // The endpoint is the one whose secret signed the request (two workspaces may use one URL).
      const endpoint = endpoints.find(
        (row) =>
          row.url === request.url &&
          createHmac("sha256", String(row.secret)).update(`${stamp}.${request.body}`).digest("hex") === mac,
      );
      expect(endpoint, `${request.url} ${eventId}`).toBeDefined();
      expect(endpoint?.workspace_id).toBe(event?.workspace_id);
      const foreign = endpoint?.workspace_id === a.ws.id ? bravoStrings : alphaStrings;
      const others = endpoint?.workspace_id === a.ws.id ? [...sentByAlpha] : [];
      expect(
        foreign.filter(
          (value) =>
            request.body.includes(value) && !others.some((part) => value.includes(part) || part.includes(value)),
        ),
        `${eventId} to ${request.url}`,
      ).toEqual([]);
    }
  });
});

/** Every row that belongs to one learner (as referrer, author or owner), for before/after checks. */
async function learnerRows(learnerId: string): Promise<Dump> {
  const dump: Dump = {};
  for (const table of ["learners", "referral_codes", "stories", "share_events", "rewards", "learner_signals"]) {
    const column = table === "learners" ? "id" : "learner_id";
    const rows = await t.client.execute({
      sql: `select * from ${table} where ${column} = ? order by 1`,
      args: [learnerId],
    });
    dump[table] = rows.rows.map((row) => Object.fromEntries(rows.columns.map((name) => [name, row[name as never]])));
  }
  return dump;
}
