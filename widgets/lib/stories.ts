/** What the story elements share: the public story shapes of the API and their common words. */
import { catalog } from "./i18n.ts";

export const outcomeTypes = [
  "promotion",
  "salary_increase",
  "new_job",
  "career_switch",
  "started_business",
  "skills",
] as const;
export type OutcomeType = (typeof outcomeTypes)[number];
export type Level = "self_reported" | "provider_attested" | "credential_verified";

/** A story as `GET /v1/stories` returns it: consents already applied, text plain (never HTML). */
export type PublicStory = {
  id: string;
  course: string;
  name: string | null;
  headline: string;
  body: string;
  rating: number;
  outcome: { type: OutcomeType; salaryIncreasePct: number | null; monthsToOutcome: number | null };
  photoUrl: string | null;
  featured: boolean;
  tags: string[];
  verificationLevel: Level;
  approvedAt: string | null;
};

export type StoryPage = { items: PublicStory[]; nextCursor: string | null };

export type Check = { check: string; result: "pass" | "fail" | "skip"; detail: string };

/** `GET /v1/stories/:id/verification`. */
export type Receipt = {
  storyId: string;
  level: Level;
  checkedAt: string;
  checks: Check[];
  credentialHash: string | null;
  issuer: { id: string; name?: string } | null;
  credential: { format: string; id?: string; name?: string; issuedAt?: string; expiresAt?: string } | null;
  addToLinkedIn: string | null;
};

export const storyText = catalog(
  {
    promotion: "Promotion",
    salary_increase: "Salary increase",
    new_job: "New job",
    career_switch: "Career switch",
    started_business: "Started a business",
    skills: "New skills",
    self_reported: "Self-reported",
    provider_attested: "Completion confirmed",
    credential_verified: "Verified credential",
    anonymous: "A learner",
    loadFailed: "We couldn't load this.",
    retry: "Try again",
  },
  () => import("./stories.hi.ts"),
);
