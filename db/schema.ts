/**
 * The whole Chorus data model. Times are integer milliseconds since the epoch (fast range scans,
 * no time-zone parsing in SQL); money is an integer in minor units beside an ISO 4217 currency.
 * Every tenant-owned table carries `workspace_id` first in its indexes, because every query is
 * scoped to one workspace.
 */
import { sql } from "drizzle-orm";
import { customType, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { ProgramSettings } from "./program-settings.ts";

/** Bytes as a Web `Uint8Array` (drizzle's buffer mode needs Node's Buffer, which Workers lacks). */
const bytes = customType<{ data: Uint8Array<ArrayBuffer>; driverData: ArrayBuffer | Uint8Array }>({
  dataType: () => "blob",
  fromDriver: (value) => new Uint8Array(value as ArrayBuffer),
});

const createdAt = () => integer("created_at", { mode: "number" }).notNull().default(sql`(unixepoch('subsec') * 1000)`);

/** Server-wide values the server makes for itself on first start (the hashing secret). */
export const serverSettings = sqliteTable("server_settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export const workspaces = sqliteTable(
  "workspaces",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** Signs learner tokens (HS256). Stored raw: the server must verify with it. */
    tokenSecret: text("token_secret").notNull(),
    /** Reward rules, attribution, fraud rules, origins, issuers: validated by ProgramSettings. */
    settings: text("settings", { mode: "json" }).$type<ProgramSettings>().notNull(),
    isDemo: integer("is_demo", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  // The hosted advocate page's slug (settings.slug) names one workspace across the server: two
  // admins choosing one slug at the same moment cannot both keep it.
  () => [uniqueIndex("workspaces_slug").on(sql`(settings ->> '$.slug')`)],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    kind: text("kind", { enum: ["publishable", "secret"] }).notNull(),
    /** The first characters, enough to recognise a key in a list; never enough to use it. */
    prefix: text("prefix").notNull(),
    /** SHA-256 of the whole key. Keys are random and long, so a fast hash is enough. */
    hash: text("hash").notNull(),
    createdAt: createdAt(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_hash").on(t.hash), index("api_keys_workspace").on(t.workspaceId, t.kind)],
);

/**
 * Team members of a workspace: who may use its dashboard, with one role each (the permission
 * table is server/lib/permissions.ts). Staff addresses are kept as typed (they are mailed sign-in
 * links and shown on the Team page); `emailKey` is the lowercased address, one member per address.
 * `joinedAt` is null while an invitation is open.
 */
export const teamMembers = sqliteTable(
  "team_members",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    email: text("email").notNull(),
    emailKey: text("email_key").notNull(),
    role: text("role", { enum: ["owner", "marketer", "moderator", "finance", "viewer"] }).notNull(),
    joinedAt: integer("joined_at"),
    /**
     * The member's password as a PHC string (`$scrypt$ln=…,r=…,p=…$salt$hash`, see
     * server/lib/password-hash.ts), or null: most members sign in with a passkey or a link.
     */
    passwordHash: text("password_hash"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("team_members_address").on(t.workspaceId, t.emailKey),
    index("team_members_email").on(t.emailKey),
  ],
);

/**
 * Dashboard sessions: a random token in an HttpOnly cookie, only its SHA-256 here. A session
 * ends on sign-out, its member's removal, idleness or its absolute expiry.
 */
export const memberSessions = sqliteTable(
  "member_sessions",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    memberId: text("member_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("member_sessions_token").on(t.tokenHash),
    index("member_sessions_member").on(t.workspaceId, t.memberId),
  ],
);

/** A member's passkeys (WebAuthn credentials): the public key and the signature counter last seen. */
export const memberPasskeys = sqliteTable(
  "member_passkeys",
  {
    /** The credential id (base64url), as the authenticator names it. */
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    memberId: text("member_id").notNull(),
    /** COSE public key, base64url. */
    publicKey: text("public_key").notNull(),
    counter: integer("counter").notNull(),
    transports: text("transports", { mode: "json" }).$type<string[]>().notNull(),
    lastUsedAt: integer("last_used_at"),
    createdAt: createdAt(),
  },
  (t) => [index("member_passkeys_member").on(t.workspaceId, t.memberId)],
);

/** WebAuthn challenges: made by the server, used once (the row is deleted as it is checked), short-lived. */
export const webauthnChallenges = sqliteTable(
  "webauthn_challenges",
  {
    id: text("id").primaryKey(),
    /** Registration: the member adding a passkey; sign-in: null (the passkey names its member). */
    memberId: text("member_id"),
    workspaceId: text("workspace_id"),
    challenge: text("challenge").notNull(),
    expiresAt: integer("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("webauthn_challenges_expiry").on(t.expiresAt)],
);

/**
 * One-time links into the dashboard: an emailed sign-in link, an invitation, or the CLI's first
 * link. The token is derived from the id with the server secret (magic-link-token.ts); only its
 * hash is here.
 */
export const memberLinks = sqliteTable(
  "member_links",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    memberId: text("member_id").notNull(),
    purpose: text("purpose", { enum: ["sign-in", "invite"] }).notNull(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("member_links_token").on(t.tokenHash),
    index("member_links_member").on(t.workspaceId, t.memberId),
  ],
);

export const courses = sqliteTable(
  "courses",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    /** The provider's own identifier, as used in `course="…"` attributes and conversions. */
    slug: text("slug").notNull(),
    title: text("title").notNull(),
    /** Where a referral link for this course lands. */
    url: text("url"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("courses_workspace_slug").on(t.workspaceId, t.slug)],
);

export const learners = sqliteTable(
  "learners",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    /** The provider's learner id (the token's `sub`). */
    externalId: text("external_id").notNull(),
    name: text("name"),
    /** Salted hash, for self-referral checks and credential recipients. */
    emailHash: text("email_hash"),
    /** Kept only when the provider opts in to storing emails. */
    email: text("email"),
    createdAt: createdAt(),
    erasedAt: integer("erased_at"),
  },
  (t) => [uniqueIndex("learners_workspace_external").on(t.workspaceId, t.externalId)],
);

/**
 * What identifies a learner's own browser (IP hash, first-party visitor id), seen when their
 * referral card loads: a friend's click that matches one of these is a self-referral.
 */
export const learnerSignals = sqliteTable(
  "learner_signals",
  {
    workspaceId: text("workspace_id").notNull(),
    learnerId: text("learner_id").notNull(),
    /** `network`: networkKey (server/services/visitors.ts), kept across days for as long as the attribution window. */
    kind: text("kind", { enum: ["ip_hash", "visitor_id", "network"] }).notNull(),
    value: text("value").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.learnerId, t.kind, t.value] }),
    index("learner_signals_lookup").on(t.workspaceId, t.kind, t.value),
  ],
);

export const referralCodes = sqliteTable(
  "referral_codes",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    /** Lower-case: codes are unique across the server and compared case-insensitively. */
    code: text("code").notNull(),
    kind: text("kind", { enum: ["generated", "vanity"] }).notNull(),
    learnerId: text("learner_id").references(() => learners.id),
    /** '' means the learner's code for every course. */
    course: text("course").notNull().default(""),
    /** Overrides the course and workspace targets when set. */
    targetUrl: text("target_url"),
    disabledAt: integer("disabled_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("referral_codes_code").on(t.code),
    uniqueIndex("referral_codes_learner_course")
      .on(t.workspaceId, t.learnerId, t.course)
      .where(sql`kind = 'generated'`),
  ],
);

/**
 * Brand names a workspace reserves: no other workspace may have a vanity code that is the name
 * or reads like it (same skeleton: hyphens dropped, look-alike characters folded), issue 15.
 */
export const reservedCodes = sqliteTable(
  "reserved_codes",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    /** As the workspace wrote it (normalised like a code). */
    name: text("name").notNull(),
    /** codeSkeleton(name): one reservation per skeleton across the server. */
    skeleton: text("skeleton").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.name] }), uniqueIndex("reserved_codes_skeleton").on(t.skeleton)],
);

/**
 * Which Chorus conversion a Stripe payment intent paid, for payments Stripe names only by their
 * invoice (subscriptions and instalments): a refund names the payment intent, the conversion the
 * invoice or checkout session.
 */
export const stripePayments = sqliteTable(
  "stripe_payments",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    paymentIntent: text("payment_intent").notNull(),
    /** The conversion's external id (`stripe:in_…`). */
    conversionExternalId: text("conversion_external_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.paymentIntent] })],
);

/**
 * Friend coupon codes: the code a referred friend types at checkout (`PRIYA-10-K7M4Q9X`), one per
 * referral code and offer. Generated by Chorus, or uploaded by the provider as a pool (rows without
 * a referral code are the pool's unclaimed codes; a referral draws one). A conversion whose `code`
 * is one of these attributes to its referral code's learner.
 */
export const friendCoupons = sqliteTable(
  "friend_coupons",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    /** As shown and shared (generated codes are upper-case). */
    code: text("code").notNull(),
    /** couponKey(code): upper-case, hyphens dropped, look-alikes folded; what typed codes are matched by. */
    matchKey: text("match_key").notNull(),
    source: text("source", { enum: ["generated", "pool"] }).notNull(),
    /** The referral this code belongs to; null for a pool code not drawn yet. */
    referralCodeId: text("referral_code_id"),
    /** The offer the code was made for (offerKey); '' for a pool code not drawn yet. */
    offerKey: text("offer_key").notNull().default(""),
    /** Stripe promotion code: `none` (no Stripe key), `pending` (to create or retry), `created`, `failed`. */
    stripeStatus: text("stripe_status", { enum: ["none", "pending", "created", "failed"] })
      .notNull()
      .default("none"),
    stripePromotionCodeId: text("stripe_promotion_code_id"),
    stripeAttempts: integer("stripe_attempts").notNull().default(0),
    /** A pending code is not tried again before this (ms): a rate-limited Stripe gets back-off, not a retry a second. */
    stripeNextAttemptAt: integer("stripe_next_attempt_at").notNull().default(0),
    /** Why the last Stripe attempt failed, as a class and Stripe's error code (never a key). */
    stripeError: text("stripe_error"),
    /** When the code stops working (the promotion code's expiry), if the program sets one. */
    expiresAt: integer("expires_at"),
    disabledAt: integer("disabled_at"),
    claimedAt: integer("claimed_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("friend_coupons_key").on(t.workspaceId, t.matchKey),
    uniqueIndex("friend_coupons_referral_offer")
      .on(t.workspaceId, t.referralCodeId, t.offerKey)
      .where(sql`referral_code_id is not null`),
    index("friend_coupons_pool").on(t.workspaceId, t.source, t.referralCodeId),
    index("friend_coupons_stripe").on(t.workspaceId, t.stripeStatus),
    index("friend_coupons_stripe_due").on(t.stripeStatus, t.stripeNextAttemptAt),
    index("friend_coupons_promotion").on(t.workspaceId, t.stripePromotionCodeId),
  ],
);

/** A workspace's Stripe API key, encrypted at rest (server/lib/secret-box.ts): Chorus creates promotion codes with it. */
export const stripeAccounts = sqliteTable("stripe_accounts", {
  workspaceId: text("workspace_id")
    .primaryKey()
    .references(() => workspaces.id),
  /** AES-256-GCM under a key derived from the server secret: `v1.IV.CIPHERTEXT` (base64url). */
  apiKeyCiphertext: text("api_key_ciphertext").notNull(),
  /** The key's mode and last four characters (`sk_test_…4242`), to recognise it. */
  apiKeyHint: text("api_key_hint").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const clicks = sqliteTable(
  "clicks",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    codeId: text("code_id").notNull(),
    /** The referrer, copied from the code so breakdowns need no join. */
    learnerId: text("learner_id"),
    course: text("course").notNull().default(""),
    channel: text("channel").notNull().default("direct"),
    storyId: text("story_id"),
    /** Salted hash of IP + user agent: one visitor, for dedup and unique counts. */
    visitorHash: text("visitor_hash").notNull(),
    /** Salted hash of the IP alone, for the self-referral rule. Never the raw IP. */
    ipHash: text("ip_hash"),
    /**
     * Keyed hash of the visitor's network (networkKey in server/services/visitors.ts), the same on
     * every day, for the self-referral rule across the attribution window. Never the raw IP.
     */
    networkKey: text("network_key"),
    /** The loader's first-party random visitor id, when the browser had one (and consent allowed it). */
    visitorId: text("visitor_id"),
    country: text("country"),
    /** `named`: the friend named this referrer in "Who referred you?" (server/services/referred-by.ts). */
    source: text("source", { enum: ["redirect", "beacon", "named"] }).notNull(),
    isBot: integer("is_bot", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    index("clicks_workspace_time").on(t.workspaceId, t.createdAt),
    index("clicks_workspace_code_time").on(t.workspaceId, t.codeId, t.createdAt),
    // Breakdowns by channel and course read the rollups, and dedup uses clicks_workspace_visitor:
    // every index here is paid on every click, so each one must earn its place.
    // The click rollups ask "has this visitor clicked today already?" per click (insertClicks).
    index("clicks_workspace_visitor").on(t.workspaceId, t.visitorHash, t.createdAt),
    // Network keys older than the attribution window are cleared by the background tick: this
    // partial index holds only clicks that still have one, so that pass reads nothing else.
    index("clicks_network_key_age").on(t.workspaceId, t.createdAt).where(sql`network_key is not null`),
  ],
);

export const shareEvents = sqliteTable(
  "share_events",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    codeId: text("code_id").notNull(),
    learnerId: text("learner_id"),
    channel: text("channel").notNull(),
    course: text("course").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [
    index("share_events_workspace_time").on(t.workspaceId, t.createdAt),
    index("share_events_workspace_learner").on(t.workspaceId, t.learnerId, t.createdAt),
  ],
);

export type DecisionStep = { rule: string; result: "pass" | "fail" | "skip" | "info"; detail: string };

export const conversions = sqliteTable(
  "conversions",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    /** The provider's id for the conversion: the idempotency key. */
    externalId: text("external_id").notNull(),
    type: text("type", { enum: ["signup", "enrollment", "completion", "refund"] }).notNull(),
    customerId: text("customer_id").notNull(),
    customerEmailHash: text("customer_email_hash"),
    course: text("course").notNull().default(""),
    amount: integer("amount"),
    currency: text("currency"),
    clickId: text("click_id"),
    codeId: text("code_id"),
    /** The referrer learner when attributed. */
    referrerId: text("referrer_id"),
    storyId: text("story_id"),
    channel: text("channel"),
    status: text("status", { enum: ["attributed", "unattributed"] }).notNull(),
    flagged: integer("flagged", { mode: "boolean" }).notNull().default(false),
    refundOf: text("refund_of"),
    decision: text("decision", { mode: "json" }).$type<DecisionStep[]>().notNull(),
    /** SHA-256 of the canonical request body: the same id with another body is a conflict. */
    requestHash: text("request_hash").notNull(),
    /** The answer first given, replayed verbatim for a retried request. */
    response: text("response", { mode: "json" }).notNull(),
    occurredAt: integer("occurred_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("conversions_workspace_external").on(t.workspaceId, t.externalId),
    index("conversions_workspace_time").on(t.workspaceId, t.occurredAt),
    index("conversions_workspace_type_time").on(t.workspaceId, t.type, t.occurredAt),
    // Covering for the velocity rule's count (server/services/fraud.ts), which reads every
    // conversion of the referrer in the last day: answered from the index, not the rows.
    index("conversions_workspace_referrer").on(
      t.workspaceId,
      t.referrerId,
      t.occurredAt,
      t.status,
      t.type,
      t.customerId,
    ),
    index("conversions_workspace_customer").on(t.workspaceId, t.customerId, t.occurredAt),
    index("conversions_click").on(t.clickId),
  ],
);

export const rewards = sqliteTable(
  "rewards",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    conversionId: text("conversion_id").notNull(),
    side: text("side", { enum: ["referrer", "friend"] }).notNull(),
    /** The referrer learner, or null for a friend's reward (then `customerId` says who). */
    learnerId: text("learner_id"),
    customerId: text("customer_id"),
    kind: text("kind", { enum: ["credit", "coupon", "cash", "discount", "milestone"] }).notNull(),
    /** Minor units; negative for a claw-back of an issued reward. */
    amount: integer("amount"),
    currency: text("currency"),
    percent: integer("percent"),
    status: text("status", { enum: ["pending", "approved", "issued", "void"] }).notNull(),
    flagged: integer("flagged", { mode: "boolean" }).notNull().default(false),
    holdUntil: integer("hold_until"),
    reason: text("reason"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at"),
    /** The cash payout batch that paid it (server/services/payout-batches.ts); null until paid. */
    payoutBatchId: text("payout_batch_id"),
    /** How it reached the referrer (server/services/reward-delivery.ts): a coupon code, a Stripe balance transaction. */
    deliveredCode: text("delivered_code"),
    deliveryRef: text("delivery_ref"),
    /** Why delivery has not happened yet, in plain words ("no Stripe customer", a Stripe error class). */
    deliveryError: text("delivery_error"),
  },
  (t) => [
    index("rewards_workspace_status").on(t.workspaceId, t.status, t.createdAt),
    index("rewards_workspace_batch").on(t.workspaceId, t.payoutBatchId),
    // Covering for the counts of a referrer's rewards (successful referrals, the monthly cap:
    // server/services/reward-rules.ts), which read the referrer's whole history.
    index("rewards_workspace_learner").on(
      t.workspaceId,
      t.learnerId,
      t.createdAt,
      t.side,
      t.kind,
      t.status,
      t.customerId,
      t.reason,
    ),
    index("rewards_conversion").on(t.conversionId),
  ],
);

export type VerificationReceipt = {
  level: "self_reported" | "credential_genuine" | "provider_attested" | "credential_verified";
  checkedAt: string;
  checks: { check: string; result: "pass" | "fail" | "skip"; detail: string }[];
  credentialHash?: string;
  /**
   * `name` is the issuer's own name from the credential, given only for an issuer the workspace
   * trusts; an untrusted issuer's is `claimedName` (what it says, not a fact). `label` is the
   * provider's own name for a trusted issuer (settings.credentialIssuers[].name), shown beside it.
   */
  issuer?: { id: string; name?: string; claimedName?: string; label?: string };
  /** What the verified credential says of itself (name, dates, id), for display and "Add to LinkedIn". */
  credential?: {
    /** Open Badges 3.0 (a VC-JWT or Data Integrity proof) or 2.0 (a hosted or signed assertion). */
    format: "vc-jwt" | "data-integrity" | "ob2-hosted" | "ob2-signed";
    id?: string;
    name?: string;
    issuedAt?: string;
    expiresAt?: string;
    url?: string;
  };
};

export const stories = sqliteTable(
  "stories",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    learnerId: text("learner_id"),
    course: text("course").notNull(),
    name: text("name").notNull(),
    headline: text("headline").notNull(),
    body: text("body").notNull(),
    rating: integer("rating").notNull(),
    outcomeType: text("outcome_type", {
      enum: ["promotion", "salary_increase", "new_job", "career_switch", "started_business", "skills"],
    }).notNull(),
    salaryIncreasePct: integer("salary_increase_pct"),
    monthsToOutcome: integer("months_to_outcome"),
    consentPublish: integer("consent_publish", { mode: "boolean" }).notNull(),
    consentName: integer("consent_name", { mode: "boolean" }).notNull(),
    consentPhoto: integer("consent_photo", { mode: "boolean" }).notNull(),
    consentSalary: integer("consent_salary", { mode: "boolean" }).notNull(),
    photoUrl: text("photo_url"),
    /** The SHA-256 of the checked copy of the photo (uploaded, or fetched from `photoUrl`) in `story_photos`; the wall shows only that copy. */
    photoHash: text("photo_hash"),
    /** Why the copy of `photoUrl` was refused (type, size, dimensions, fetch); shown to the moderator. */
    photoRefusal: text("photo_refusal"),
    status: text("status", { enum: ["pending", "approved", "rejected", "withdrawn"] }).notNull(),
    featured: integer("featured", { mode: "boolean" }).notNull().default(false),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default([]),
    verificationLevel: text("verification_level", {
      enum: ["self_reported", "credential_genuine", "provider_attested", "credential_verified"],
    }).notNull(),
    verification: text("verification", { mode: "json" }).$type<VerificationReceipt>(),
    /** The credential this story is `credential_verified` by (credentials/identity.ts); one story per workspace. */
    credentialKey: text("credential_key"),
    /**
     * A video story (server/services/story-videos.ts): the SHA-256 of the checked bytes in the media
     * store (the key and the URL carry it), their type read from the bytes, their size, and the
     * duration when the container states it. Null for a story without a video.
     */
    videoHash: text("video_hash"),
    videoType: text("video_type", { enum: ["video/webm", "video/mp4"] }),
    videoBytes: integer("video_bytes"),
    videoDurationMs: integer("video_duration_ms"),
    /** The poster frame the author's browser took from the video (JPEG, PNG or WebP), by hash and type. */
    posterHash: text("poster_hash"),
    posterType: text("poster_type"),
    /** What is said in the video, typed by the author and editable by the moderator: captions and the wall's text. */
    transcript: text("transcript"),
    editTokenHash: text("edit_token_hash").notNull(),
    visitorHash: text("visitor_hash"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at"),
    approvedAt: integer("approved_at"),
    /**
     * `form`: written by its author; `import`: from the provider's CSV of earlier testimonials
     * (server/services/story-import.ts), never linked to a learner and always `self_reported`.
     */
    source: text("source", { enum: ["form", "import"] })
      .notNull()
      .default("form"),
    /** The provider's label of the import (its file name), for the moderator; null for a form story. */
    importedFrom: text("imported_from"),
    /** SHA-256 of an imported row's content: the same row imported again is skipped, never doubled. */
    importKey: text("import_key"),
  },
  (t) => [
    index("stories_workspace_status").on(t.workspaceId, t.status, t.course, t.createdAt),
    index("stories_workspace_learner").on(t.workspaceId, t.learnerId),
    uniqueIndex("stories_workspace_credential").on(t.workspaceId, t.credentialKey),
    uniqueIndex("stories_workspace_import").on(t.workspaceId, t.importKey),
  ],
);

/**
 * Chorus's own copy of a story's photo, uploaded by its author or fetched once from the author's
 * URL, and checked: the wall and the dashboard show this copy, never the stranger's URL. The
 * bytes are in the media store (server/services/media-store.ts) under the story and `hash`; this
 * row says what they are. One per story; a new photo replaces it.
 */
export const storyPhotos = sqliteTable(
  "story_photos",
  {
    workspaceId: text("workspace_id").notNull(),
    storyId: text("story_id").notNull(),
    /** The author's URL it was fetched from; null for an upload. */
    sourceUrl: text("source_url"),
    hash: text("hash").notNull(),
    contentType: text("content_type").notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    /** Only on rows an earlier version kept with their bytes: moved to the media store when first read. */
    bytes: bytes("bytes"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.storyId] })],
);

export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    url: text("url").notNull(),
    /** Signs deliveries; stored raw because the server must sign with it. */
    secret: text("secret").notNull(),
    /** Event types this endpoint wants; empty means all. */
    events: text("events", { mode: "json" }).$type<string[]>().notNull().default([]),
    /** An admin's explicit choice (self-hosting): deliver to private and loopback addresses too. */
    allowPrivateNetwork: integer("allow_private_network", { mode: "boolean" }).notNull().default(false),
    disabledAt: integer("disabled_at"),
    /** Failed attempts since the last success: the endpoint's back-off grows with it. */
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    /** While failing, none of its deliveries is attempted before this instant (ms). */
    retryAt: integer("retry_at"),
    /** Paused after too many failures in a row: its queue is kept but not attempted until resumed. */
    pausedAt: integer("paused_at"),
    pauseReason: text("pause_reason"),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_endpoints_workspace").on(t.workspaceId)],
);

/** The outbox: an event is written in the same transaction as the change it announces. */
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    type: text("type").notNull(),
    payload: text("payload", { mode: "json" }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_events_workspace_time").on(t.workspaceId, t.createdAt)],
);

export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    eventId: text("event_id").notNull(),
    endpointId: text("endpoint_id").notNull(),
    workspaceId: text("workspace_id").notNull(),
    status: text("status", { enum: ["pending", "delivered", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    /** Set while a worker is sending it (until the lease ends): counts against the concurrency limits. */
    leaseUntil: integer("lease_until"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    deliveredAt: integer("delivered_at"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.endpointId] }),
    index("webhook_deliveries_due").on(t.status, t.nextAttemptAt),
    index("webhook_deliveries_endpoint_due").on(t.endpointId, t.status, t.nextAttemptAt),
    index("webhook_deliveries_workspace").on(t.workspaceId, t.createdAt),
  ],
);

/*
 * Analytics rollups, kept up to date inside the transaction that writes the click, share or
 * conversion, so they are correct under concurrent writers (SQLite serialises writers): for
 * shares and conversions by triggers (migration 0003_analytics_triggers), whichever code path
 * writes the row, except a conversion batch, which adds its conversions' rollups per write
 * transaction (server/services/conversion-rollups.ts, analytics_conversions_deferred); for clicks by insertClicks (server/services/click-writer.ts), the one way a
 * click is written, per batch in the same transaction (migration 0005 dropped the click trigger,
 * whose per-row work was most of a redirect's cost). `course` is '*' for
 * every course together; `key` is the dimension's value ('' for `dim = 'total'` and for an unknown
 * country). Each event counts in its day (`grain = 'd'`, `day` = UTC days since the epoch), ISO
 * week ('w'), month ('m') and quarter ('q') (`day` = the bucket's first day), so a long range reads
 * whole quarters, months and weeks plus a few single days. The tables are WITHOUT ROWID (set in the
 * migration): a range scan of the primary key reads the counts themselves.
 */
export const analyticsDaily = sqliteTable(
  "analytics_daily",
  {
    workspaceId: text("workspace_id").notNull(),
    dim: text("dim", { enum: ["total", "channel", "advocate", "story", "country"] }).notNull(),
    course: text("course").notNull(),
    grain: text("grain", { enum: ["d", "w", "m", "q"] }).notNull(),
    day: integer("day").notNull(),
    key: text("key").notNull(),
    clicks: integer("clicks").notNull().default(0),
    /** Distinct visitor hashes that day (visitor hashes rotate daily, so days add up). */
    visitors: integer("visitors").notNull().default(0),
    shares: integer("shares").notNull().default(0),
    signups: integer("signups").notNull().default(0),
    enrollments: integer("enrollments").notNull().default(0),
    completions: integer("completions").notNull().default(0),
    refunds: integer("refunds").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.dim, t.course, t.grain, t.day, t.key] })],
);

/** Attributed enrolment and refund amounts per currency, with the same keys as analytics_daily. */
export const analyticsRevenue = sqliteTable(
  "analytics_revenue",
  {
    workspaceId: text("workspace_id").notNull(),
    dim: text("dim").notNull(),
    course: text("course").notNull(),
    grain: text("grain", { enum: ["d", "w", "m", "q"] }).notNull(),
    day: integer("day").notNull(),
    key: text("key").notNull(),
    currency: text("currency").notNull(),
    enrolled: integer("enrolled").notNull().default(0),
    refunded: integer("refunded").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.dim, t.course, t.grain, t.day, t.key, t.currency] })],
);

/** Lifetime totals per advocate (and course), for K-factor cohorts: first activity decides the cohort. */
export const analyticsAdvocates = sqliteTable(
  "analytics_advocates",
  {
    workspaceId: text("workspace_id").notNull(),
    course: text("course").notNull(),
    learnerId: text("learner_id").notNull(),
    /** The first share or click of this advocate's links. */
    firstActiveAt: integer("first_active_at").notNull(),
    shares: integer("shares").notNull().default(0),
    clicks: integer("clicks").notNull().default(0),
    signups: integer("signups").notNull().default(0),
    enrollments: integer("enrollments").notNull().default(0),
    completions: integer("completions").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.course, t.learnerId] }),
    index("analytics_advocates_cohort").on(t.workspaceId, t.course, t.firstActiveAt),
  ],
);

/**
 * Each customer's first enrolment (of any status), per course and for every course together ('*'):
 * the K-factor cohort they belong to. Kept by triggers on conversions (migration 0029), which
 * recompute a customer's minimum when an enrolment is deleted or changes type, course, customer
 * or time.
 */
export const analyticsCohortMembers = sqliteTable(
  "analytics_cohort_members",
  {
    workspaceId: text("workspace_id").notNull(),
    course: text("course").notNull(),
    customerId: text("customer_id").notNull(),
    firstEnrolledAt: integer("first_enrolled_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.customerId, t.course] })],
);

/**
 * The K-factor's figures per cohort day (the UTC day of the members' first enrolment): how many
 * learners, how many of them shared, and the lifetime advocate totals (analytics_advocates) of the
 * learner whose external id is the member's customer id. Kept by triggers (migration 0029) on
 * analytics_cohort_members, analytics_advocates and learners, so every write path (the click
 * writer's advocate upserts, the share and conversion triggers, an erasure's new external id)
 * moves exactly its own difference; a range of cohorts reads one row per day.
 */
export const analyticsCohorts = sqliteTable(
  "analytics_cohorts",
  {
    workspaceId: text("workspace_id").notNull(),
    course: text("course").notNull(),
    day: integer("day").notNull(),
    learners: integer("learners").notNull().default(0),
    sharers: integer("sharers").notNull().default(0),
    shares: integer("shares").notNull().default(0),
    clicks: integer("clicks").notNull().default(0),
    signups: integer("signups").notNull().default(0),
    enrollments: integer("enrollments").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.course, t.day] })],
);

/** Click-to-enrolment delays of attributed enrolments, ordered for exact percentiles. */
export const analyticsDelays = sqliteTable(
  "analytics_delays",
  {
    workspaceId: text("workspace_id").notNull(),
    course: text("course").notNull(),
    day: integer("day").notNull(),
    delayMs: integer("delay_ms").notNull(),
    conversionId: text("conversion_id").notNull(),
  },
  (t) => [
    index("analytics_delays_order").on(t.workspaceId, t.course, t.delayMs, t.day),
    index("analytics_delays_conversion").on(t.conversionId),
  ],
);

/**
 * While this table holds a row, the conversion rollup triggers (insert and update) leave the
 * rollups alone: a conversion batch (server/services/conversion-rollups.ts) writes the row at the
 * start of each write transaction, adds the rollups of the conversions it recorded in a few
 * grouped upserts at its end, and deletes the row before it commits. No other connection ever
 * sees the row (it never outlives that transaction), so every other write keeps its triggers.
 */
export const analyticsConversionsDeferred = sqliteTable("analytics_conversions_deferred", {
  /** Who deferred (always 'batch'): the primary key keeps it to one row. */
  holder: text("holder").primaryKey(),
});

/**
 * The email outbox (server/services/mail-outbox.ts): one row per message, written in the same
 * transaction as the event that causes it, deduplicated by `key` per workspace (so retries and
 * concurrent requests write one row), claimed by the mail worker with a lease like webhook
 * deliveries. The message is rendered at send time from `template`, `locale` and `data`;
 * `messageId` is fixed at enqueue, so a resend after a crash carries the same `Message-ID`.
 * The clear address is kept only until the message is finished (sent, failed or suppressed).
 */
export const mailMessages = sqliteTable(
  "mail_messages",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    key: text("key").notNull(),
    /** What the recipient can unsubscribe from (one-click, per category). */
    category: text("category").notNull(),
    template: text("template").notNull(),
    locale: text("locale").notNull(),
    data: text("data", { mode: "json" }).notNull(),
    /** The learner it is about, so their erasure drops what is still queued. */
    learnerId: text("learner_id"),
    toAddress: text("to_address"),
    toName: text("to_name"),
    /** Salted hash of the address (learners.emailHash's): suppression list and daily cap. */
    toHash: text("to_hash").notNull(),
    messageId: text("message_id").notNull(),
    status: text("status", { enum: ["queued", "sent", "failed", "suppressed"] }).notNull(),
    reason: text("reason"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    leaseUntil: integer("lease_until"),
    sentAt: integer("sent_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("mail_messages_workspace_key").on(t.workspaceId, t.key),
    index("mail_messages_due").on(t.status, t.nextAttemptAt),
    index("mail_messages_recipient").on(t.workspaceId, t.toHash, t.sentAt),
    index("mail_messages_workspace_time").on(t.workspaceId, t.createdAt),
  ],
);

/** Addresses (as salted hashes) that unsubscribed from a category of a workspace's mail. */
export const mailSuppressions = sqliteTable(
  "mail_suppressions",
  {
    workspaceId: text("workspace_id").notNull(),
    addressHash: text("address_hash").notNull(),
    category: text("category").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.addressHash, t.category] })],
);

/**
 * Throwaway-mail domains (the `disposable-email-domains` package), read by the disposable-email
 * fraud rule. In the database rather than the code: the list is 2.4 MB of JSON, which was 70%
 * of the Workers bundle and parsed at every cold start. Loaded by db/disposable-domains.ts
 * whenever the installed package's version differs from the one loaded.
 */
export const disposableDomains = sqliteTable("disposable_domains", {
  domain: text("domain").primaryKey(),
});

/**
 * Connectors: where a course platform (Teachable, Thinkific, Kajabi) or any other sender (a
 * mapped custom webhook) posts its events. The URL's token is only compared, so only its hash is
 * kept; a signing secret must be used to recompute the sender's HMAC, so it is kept sealed with a
 * key derived from the server secret (server/lib/secret-box.ts).
 */
export const integrationConnectors = sqliteTable(
  "integration_connectors",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    platform: text("platform", { enum: ["teachable", "thinkific", "kajabi", "custom"] }).notNull(),
    name: text("name").notNull(),
    /** SHA-256 of the URL token (`?token=`). */
    tokenHash: text("token_hash").notNull(),
    /** The sender's HMAC key, sealed; null when the sender signs nothing. */
    signingSecret: text("signing_secret"),
    /** How a custom sender signs (header, algorithm, encoding, prefix); platforms use their own scheme. */
    signature: text("signature", { mode: "json" }).$type<Record<string, unknown> | null>(),
    /** A custom endpoint's field mapping (JSON Pointers and constants). */
    mapping: text("mapping", { mode: "json" }).$type<Record<string, unknown> | null>(),
    /** The platform's course or product ids → Chorus course slugs. */
    courses: text("courses", { mode: "json" }).$type<Record<string, string>>().notNull().default({}),
    /** For platforms whose events name no currency (Thinkific orders). */
    currency: text("currency"),
    createdAt: createdAt(),
  },
  (t) => [index("integration_connectors_workspace").on(t.workspaceId)],
);

/**
 * What each connector received, capped per connector: the platform's event type and id, the
 * outcome and why. No payload is kept. An event that came before the one it depends on (a refund
 * or a completion before the sale) waits here as `pending` with the conversion it will make
 * (customer id only: no email or name), and is recorded when the sale arrives.
 */
export const integrationEvents = sqliteTable(
  "integration_events",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    connectorId: text("connector_id").notNull(),
    eventType: text("event_type").notNull(),
    eventId: text("event_id"),
    outcome: text("outcome", {
      enum: ["recorded", "replay", "ignored", "refused", "pending", "reconciled"],
    }).notNull(),
    detail: text("detail").notNull().default(""),
    /** The conversion's external id, when one was (or will be) recorded. */
    conversionId: text("conversion_id"),
    /** What a pending event waits for: the sale's external id, or `customer|course` for a completion. */
    waitingFor: text("waiting_for"),
    pending: text("pending", { mode: "json" }).$type<Record<string, unknown> | null>(),
    /** The pending conversion's customer id, so erasing a learner drops what waits for them. */
    customerId: text("customer_id"),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [
    index("integration_events_connector_time").on(t.connectorId, t.receivedAt),
    index("integration_events_waiting").on(t.workspaceId, t.waitingFor),
  ],
);

/**
 * The email a referred friend gave on the referral banner before checkout, as a salted hash, with
 * the click they arrived by: a platform whose checkout drops the referral (no URL parameters, no
 * coupon) still names the buyer's email, and that email leads back to the click. One email per
 * click (the first), given from the click's own browser.
 */
export const referralEmails = sqliteTable(
  "referral_emails",
  {
    workspaceId: text("workspace_id").notNull(),
    clickId: text("click_id").notNull(),
    emailHash: text("email_hash").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.clickId] }),
    index("referral_emails_email").on(t.workspaceId, t.emailHash, t.createdAt),
  ],
);

/**
 * The one-time tokens of "tell your story" emails (server/services/story-requests.ts): the token
 * itself is minted from `id` with the server secret when the mail is sent and stored only as its
 * SHA-256, so neither this table nor the outbox can be read to forge a story. Single use
 * (`usedAt`, set in the story's transaction) and expiring.
 */
export const storyRequestTokens = sqliteTable(
  "story_request_tokens",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    learnerId: text("learner_id").notNull(),
    course: text("course").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    storyId: text("story_id"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("story_request_tokens_hash").on(t.workspaceId, t.tokenHash),
    index("story_request_tokens_learner").on(t.workspaceId, t.learnerId),
  ],
);

/**
 * Magic links of the hosted advocate page (server/services/advocate-sign-in.ts): one row per
 * address and throttle window, whether or not the address may sign in, so that a request does
 * the same work either way. The link's token is derived from the row id with the server secret
 * and stored only as its SHA-256; `subject` is the learner it signs in (the provider's id, or
 * `email:` and the address hash for a learner with no history), null when none may.
 */
export const magicLinks = sqliteTable(
  "magic_links",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    /** Salted hash of the address (learners.emailHash's). */
    emailHash: text("email_hash").notNull(),
    /** The start of the throttle window (ms): one link per address and window. */
    window: integer("window").notNull(),
    subject: text("subject"),
    tokenHash: text("token_hash").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("magic_links_address_window").on(t.workspaceId, t.emailHash, t.window),
    uniqueIndex("magic_links_token").on(t.tokenHash),
    index("magic_links_workspace_expiry").on(t.workspaceId, t.expiresAt),
  ],
);

/**
 * Learners signed in on the hosted advocate page: the cookie holds a random token, the row only
 * its SHA-256. A session ends when idle too long, at its absolute expiry, on sign-out, and when
 * the learner is erased.
 */
export const learnerSessions = sqliteTable(
  "learner_sessions",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    learnerId: text("learner_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("learner_sessions_token").on(t.tokenHash),
    index("learner_sessions_learner").on(t.workspaceId, t.learnerId),
  ],
);

/**
 * The audit trail: one row per change made through the dashboard or an admin route. Append-only:
 * no code path updates or deletes a row, and triggers refuse it in the database, except the one
 * update erasure makes (server/services/learner-erasure.ts masks a learner's rows and clears
 * `learner_id`, once). `before`/`after` are stored with personal data already masked.
 */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    at: integer("at").notNull(),
    /** `member`: a team member in the dashboard; `key`: a server's secret key; `system`: the CLI or a job. (`dashboard` was a session of the key before team accounts; no code writes it now.) */
    actorKind: text("actor_kind", { enum: ["key", "dashboard", "member", "system"] }).notNull(),
    actorId: text("actor_id").notNull(),
    /** `resource.verb`, e.g. `reward.approve`, `program.update`, `learner.erase`. */
    action: text("action").notNull(),
    targetId: text("target_id"),
    before: text("before", { mode: "json" }),
    after: text("after", { mode: "json" }),
    requestId: text("request_id"),
    /** The learner the change was about, so erasure can find and mask the row; null once masked. */
    learnerId: text("learner_id"),
  },
  (t) => [
    index("audit_events_workspace_time").on(t.workspaceId, t.at),
    index("audit_events_workspace_action").on(t.workspaceId, t.action, t.at),
    index("audit_events_workspace_actor").on(t.workspaceId, t.actorId, t.at),
    index("audit_events_learner").on(t.workspaceId, t.learnerId),
  ],
);

/**
 * What the review queue blocked for a workspace's future conversions: a customer email (its
 * salted hash, never the address), an email domain, a network signal (the network key or IP
 * hash of a click) or a referrer (a ban: their codes stop crediting).
 */
export const blockList = sqliteTable(
  "block_list",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    kind: text("kind", { enum: ["email", "domain", "network", "ip", "referrer"] }).notNull(),
    value: text("value").notNull(),
    reason: text("reason").notNull(),
    /** The learner a referrer ban names, so erasure removes it with them. */
    learnerId: text("learner_id"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("block_list_workspace_kind_value").on(t.workspaceId, t.kind, t.value)],
);

/** A reviewer's notes on a held conversion or reward in the review queue. */
export const reviewNotes = sqliteTable(
  "review_notes",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    /** The conversion (cnv_…) or reward (rwd_…) the note is on. */
    subjectId: text("subject_id").notNull(),
    body: text("body").notNull(),
    actorId: text("actor_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("review_notes_subject").on(t.workspaceId, t.subjectId, t.createdAt)],
);

/**
 * "Who referred you?" answers (server/services/referred-by.ts): one row per question a visitor
 * asked, hit or miss alike, so both cost the same work and leave the same trace. The opaque
 * one-time token the visitor confirms with is stored only as its SHA-256, bound to the visitor
 * (today's visitor hash). `codeId` is the matched referrer's referral code, null for no match:
 * the only place a row says whether anyone matched, and it never leaves the server.
 */
export const referredByAnswers = sqliteTable(
  "referred_by_answers",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    visitorHash: text("visitor_hash").notNull(),
    codeId: text("code_id"),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("referred_by_answers_token").on(t.workspaceId, t.tokenHash),
    index("referred_by_answers_code").on(t.workspaceId, t.codeId),
  ],
);

/**
 * Where a referrer wants cash rewards paid (issue 18): PayPal email, UPI ID or a bank reference,
 * sealed with server/lib/secret-box.ts (purpose "payout-method", bound to workspace and learner);
 * only the masked form is kept in clear. One per learner; erased with the learner.
 */
export const payoutMethods = sqliteTable(
  "payout_methods",
  {
    workspaceId: text("workspace_id").notNull(),
    learnerId: text("learner_id").notNull(),
    kind: text("kind", { enum: ["paypal", "upi", "bank"] }).notNull(),
    /** `v1.IV.CIPHERTEXT`: the details as JSON. */
    detailsCiphertext: text("details_ciphertext").notNull(),
    /** What the referrer and the finance view see: `p••••@example.com`, `pr••••@okaxis`, `••••6789`. */
    masked: text("masked").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.learnerId] })],
);

/**
 * A cash payout batch: the file handed to PayPal, Wise or a bank, sealed (it names payees), so
 * asking for the batch again answers the same bytes, and the rewards it paid (rewards.payout_batch_id).
 */
export const payoutBatches = sqliteTable(
  "payout_batches",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    method: text("method", { enum: ["paypal", "upi", "bank"] }).notNull(),
    format: text("format", { enum: ["paypal", "wise", "generic"] }).notNull(),
    currency: text("currency").notNull(),
    /** Minor units, the sum of the batch's rewards. */
    total: integer("total").notNull(),
    payees: integer("payees").notNull(),
    fileCiphertext: text("file_ciphertext").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("payout_batches_workspace_time").on(t.workspaceId, t.createdAt)],
);

/**
 * Stripe customers by salted email hash, as Stripe checkouts name them: a credit reward goes to
 * the referrer's own Stripe customer balance, found by their email hash. Erased with the learner.
 */
export const stripeCustomers = sqliteTable(
  "stripe_customers",
  {
    workspaceId: text("workspace_id").notNull(),
    emailHash: text("email_hash").notNull(),
    customerId: text("customer_id").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.emailHash] })],
);
