/** What the story elements share: the outcome types and their common words. */
import type { OutcomeType } from "./api-types.ts";
import { catalog } from "./i18n.ts";

/** The outcome types in the order the filters and the form offer them (checked against the API's). */
export const outcomeTypes = [
  "promotion",
  "salary_increase",
  "new_job",
  "career_switch",
  "started_business",
  "skills",
] as const satisfies readonly OutcomeType[];
// Fails the type-check if the API gains an outcome type the widgets do not offer.
true satisfies [Exclude<OutcomeType, (typeof outcomeTypes)[number]>] extends [never] ? true : never;

export const storyText = catalog(
  {
    promotion: "Promotion",
    salary_increase: "Salary increase",
    new_job: "New job",
    career_switch: "Career switch",
    started_business: "Started a business",
    skills: "New skills",
    self_reported: "Self-reported",
    credential_genuine: "Genuine credential, owner unconfirmed",
    provider_attested: "Completion confirmed",
    credential_verified: "Verified credential",
    anonymous: "A learner",
    loadFailed: "We couldn't load this.",
    retry: "Try again",
  },
  () => import("./stories.hi.ts"),
);
