/** The zod schemas of the story endpoints: what a story may contain, and the shapes returned. */
import { z } from "@hono/zod-openapi";
import { webUrl } from "../../db/web-url.ts";
import { courseSlug } from "../lib/fields.ts";
import { cleanText, outcomeTypes } from "../services/stories.ts";

export { courseSlug };

const httpsUrl = webUrl({ protocol: /^https$/, error: "an https URL" }).max(2000);

/** A story's id in the path: `/v1/stories/{id}` and `/v1/admin/stories/{id}`. */
export const storyIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

export const limits = { name: 80, headline: 140, body: 5000, tag: 40, tags: 10, transcript: 5000 } as const;

/** A transcript: plain text, may be cleared with null (a video story cannot be approved without one). */
const transcript = z
  .string()
  .max(limits.transcript)
  .nullable()
  .optional()
  .openapi({
    description:
      "What is said in the story's video, typed by the author: required before a video story is approved; " +
      "becomes its captions (WebVTT) and its text on the wall",
  });

export const Outcome = z
  .object({
    type: z.enum(outcomeTypes),
    salaryIncreasePct: z.number().int().min(0).max(1000).nullable().optional(),
    monthsToOutcome: z.number().int().min(0).max(120).nullable().optional(),
  })
  .strict()
  .openapi("StoryOutcome");

export const Consent = z
  .object({
    publish: z.literal(true, { error: "consent.publish must be true: a story is only collected to be published" }),
    name: z.boolean().default(false),
    photo: z.boolean().default(false),
    salary: z.boolean().default(false),
  })
  .strict()
  .openapi("StoryConsent");

export const CredentialInput = z
  .union([
    z.object({ url: httpsUrl }).strict(),
    z.object({ json: z.record(z.string(), z.unknown()) }).strict(),
    z
      .object({
        jwt: z
          .string()
          .max(32_000)
          .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/, "a compact JWT"),
      })
      .strict(),
    z
      .object({
        image: z
          .string()
          .max(2_000_000)
          .regex(/^[A-Za-z0-9+/]+={0,2}\s*$/, "a PNG or SVG image, base64")
          .openapi({ description: "A baked Open Badges image (PNG or SVG), base64: the badge inside is verified" }),
      })
      .strict(),
  ])
  .openapi("CredentialInput", {
    description:
      "An Open Badges credential: a URL to fetch (a 3.0 credential or a 2.0 hosted assertion, such as a Credly, " +
      "Accredible or Badgr badge URL), the credential's JSON, a VC-JWT or signed 2.0 assertion (compact JWS), or a " +
      "baked badge image (PNG or SVG, base64; the request body limit applies).",
  });

/** Text that still says something once control and bidi characters are removed (refused before anything is stored). */
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((value) => cleanText(value).length > 0, "must not be empty without control or bidi characters");

const storyText = {
  name: text(limits.name),
  headline: text(limits.headline),
  body: text(limits.body),
  rating: z.number().int().min(1).max(5),
  outcome: Outcome,
  consent: Consent,
  photoUrl: httpsUrl.nullable().optional(),
  transcript,
};

export const NewStory = z
  .object({
    course: courseSlug,
    ...storyText,
    credential: CredentialInput.optional(),
    /** The honeypot: hidden from people by the form, filled by bots. */
    website: z.string().max(2000).optional(),
  })
  .strict()
  .openapi("NewStory");

export const StoryPatch = z
  .object({
    name: storyText.name.optional(),
    headline: storyText.headline.optional(),
    body: storyText.body.optional(),
    rating: storyText.rating.optional(),
    outcome: Outcome.optional(),
    consent: Consent.optional(),
    photoUrl: storyText.photoUrl,
    transcript,
    credential: CredentialInput.nullable().optional(),
  })
  .strict()
  .openapi("StoryPatch");

const level = z.enum(["self_reported", "credential_genuine", "provider_attested", "credential_verified"]).openapi({
  description:
    "`credential_verified`: an Open Badges credential verified and its recipient is the author (the email of their " +
    "learner token). `provider_attested`: the provider reported the learner's completion. `credential_genuine`: a " +
    "credential verified but is not shown to be the author's, so it says nothing of who wrote the story. " +
    "`self_reported`: nothing could be checked.",
});
const Check = z.object({ check: z.string(), result: z.enum(["pass", "fail", "skip"]), detail: z.string() });

const ReceiptIssuer = z.object({
  id: z.string(),
  name: z
    .string()
    .optional()
    .openapi({ description: "The issuer's own name from the credential (trusted issuers only)" }),
  claimedName: z
    .string()
    .optional()
    .openapi({ description: "The name an issuer not on the workspace's list claims: a claim, not a fact" }),
  label: z
    .string()
    .optional()
    .openapi({ description: "The provider's label for a trusted issuer (settings.credentialIssuers[].name)" }),
});

export const Receipt = z
  .object({
    level,
    checkedAt: z.string(),
    checks: z.array(Check),
    credentialHash: z.string().optional(),
    issuer: ReceiptIssuer.optional(),
    credential: z
      .object({
        format: z.enum(["vc-jwt", "data-integrity", "ob2-hosted", "ob2-signed"]),
        id: z.string().optional(),
        name: z.string().optional(),
        issuedAt: z.string().optional(),
        expiresAt: z.string().optional(),
        url: z.string().optional(),
      })
      .optional(),
  })
  .openapi("VerificationReceipt");
export type Receipt = z.infer<typeof Receipt>;

export const PublicVideo = z
  .object({
    url: z.string().openapi({ description: "The video (WebM or MP4), content-hashed, with byte ranges and CORS" }),
    type: z.enum(["video/webm", "video/mp4"]),
    posterUrl: z
      .string()
      .nullable()
      .openapi({ description: "The poster frame; null when the author's browser sent none" }),
    captionsUrl: z.string().openapi({ description: "WebVTT captions built from the transcript" }),
    durationMs: z.number().int().nullable(),
    transcript: z.string(),
  })
  .openapi("StoryVideo");

export const PublicStory = z
  .object({
    id: z.string(),
    course: z.string(),
    name: z.string().nullable().openapi({ description: "null when the author did not consent to show their name" }),
    headline: z.string(),
    body: z.string().openapi({ description: "Plain text (never HTML): render it as text" }),
    rating: z.number(),
    outcome: z.object({
      type: z.enum(outcomeTypes),
      salaryIncreasePct: z.number().nullable().openapi({ description: "null without the author's salary consent" }),
      monthsToOutcome: z.number().nullable(),
    }),
    photoUrl: z.string().nullable().openapi({
      description:
        "Chorus's checked copy of the author's photo (content-hashed, cached for good); null without the author's photo consent or when the photo failed the check",
    }),
    video: PublicVideo.nullable().openapi({ description: "null for a story without a video" }),
    featured: z.boolean(),
    tags: z.array(z.string()),
    verificationLevel: level,
    approvedAt: z.string().nullable(),
  })
  .openapi("Story");
export type PublicStory = z.infer<typeof PublicStory>;

export const StoryPage = z
  .object({
    items: z.array(PublicStory),
    nextCursor: z.string().nullable(),
    rating: z
      .object({ count: z.number().int(), average: z.number() })
      .nullable()
      .openapi({
        description:
          "The course's rating over all its approved stories (mean to one decimal), for schema.org's `aggregateRating`: " +
          "on the first page of a `course` without other filters, and only from the workspace's `minSampleSize` stories " +
          "up (the same k that suppresses outcome figures); null otherwise",
      }),
  })
  .openapi("StoryPage");
export type StoryPage = z.infer<typeof StoryPage>;

export const FullStory = z
  .object({
    id: z.string(),
    status: z.enum(["pending", "approved", "rejected", "withdrawn"]),
    course: z.string(),
    learnerLinked: z.boolean(),
    name: z.string(),
    headline: z.string(),
    body: z.string(),
    rating: z.number(),
    outcome: z.object({
      type: z.enum(outcomeTypes),
      salaryIncreasePct: z.number().nullable(),
      monthsToOutcome: z.number().nullable(),
    }),
    consent: z.object({ publish: z.boolean(), name: z.boolean(), photo: z.boolean(), salary: z.boolean() }),
    photoUrl: z.string().nullable(),
    video: z
      .object({
        type: z.enum(["video/webm", "video/mp4"]),
        bytes: z.number().int().nullable(),
        durationMs: z.number().int().nullable(),
        poster: z.boolean(),
      })
      .nullable(),
    transcript: z.string().nullable(),
    featured: z.boolean(),
    tags: z.array(z.string()),
    verificationLevel: level,
    verification: Receipt.nullable(),
    createdAt: z.string(),
    updatedAt: z.string().nullable(),
    approvedAt: z.string().nullable(),
  })
  .openapi("StoryWithStatus");
export type FullStory = z.infer<typeof FullStory>;

export const ModerationStory = FullStory.extend({
  source: z.enum(["form", "import"]).openapi({
    description: "`import`: from the provider's CSV of earlier testimonials (always self-reported, no learner)",
  }),
  importedFrom: z.string().nullable().openapi({ description: "The import's label (its file name); null for `form`" }),
  photoRefusal: z
    .string()
    .nullable()
    .openapi({ description: "Why the photo is not published (type, size, dimensions, fetch); null otherwise" }),
  published: PublicStory.openapi({
    description:
      "The story exactly as the wall shows it once approved (consents applied). Its photoUrl is Chorus's checked copy, or the moderator's preview of it while not yet fetched; never the author's URL",
  }),
}).openapi("ModerationStory");
export type ModerationStory = z.infer<typeof ModerationStory>;

export const AuthorStory = FullStory.extend({
  editToken: z
    .string()
    .optional()
    .openapi({ description: "Shown once, in the answer to POST; keep it to edit or withdraw" }),
  shareLink: z
    .string()
    .nullable()
    .openapi({ description: "The author's referral link for this story (works once the story is approved)" }),
}).openapi("AuthorStory");
export type AuthorStory = z.infer<typeof AuthorStory>;

export const StoryVerification = z
  .object({
    storyId: z.string(),
    level,
    checkedAt: z.string(),
    checks: z.array(Check),
    credentialHash: z.string().nullable(),
    issuer: ReceiptIssuer.nullable(),
    credential: Receipt.shape.credential.nullable(),
    addToLinkedIn: z.string().nullable(),
  })
  .openapi("StoryVerification");
export type StoryVerification = z.infer<typeof StoryVerification>;
