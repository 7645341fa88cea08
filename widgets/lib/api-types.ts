/**
 * The API's shapes as the widgets and the dashboard read them: inferred from the routes' zod
 * schemas, so a change to a response is a type error here instead of a silent mismatch. Types
 * only: `export type` is erased by the compiler, so no server code reaches a bundle (the widget
 * contract test checks that no file under widgets/ imports server/ or db/ any other way).
 */
export type { ErrorEnvelope } from "../../server/errors.ts";
export type { ConnectorView, IntegrationEventView } from "../../server/routes/admin-integrations.ts";
export type { AdminStoryPage } from "../../server/routes/admin-stories.ts";
export type {
  Breakdown,
  BreakdownRow,
  ConversionSearchPage,
  Funnel,
  KFactor,
  Timeseries,
  TimeToConvert,
  TopAdvocates,
} from "../../server/routes/analytics.ts";
export type { AuditEvent, AuditList } from "../../server/routes/audit.ts";
export type { ClickAnswer, ReferralInfo } from "../../server/routes/clicks.ts";
export type { Course, CourseList } from "../../server/routes/courses.ts";
export type { SessionInfo } from "../../server/routes/dashboard-session.ts";
export type { FriendCouponOverview } from "../../server/routes/friend-coupons.ts";
export type { MailOverview } from "../../server/routes/mail.ts";
export type { Outcomes } from "../../server/routes/outcomes.ts";
export type { Settings } from "../../server/routes/program.ts";
export type { Referral } from "../../server/routes/referrals.ts";
export type { ReferredByAnswer, ReferredByConfirmation } from "../../server/routes/referred-by.ts";
export type { ReservedCode, ReservedCodeList } from "../../server/routes/reserved-codes.ts";
export type { Block, ReviewCase, ReviewQueue } from "../../server/routes/review.ts";
export type { RewardList } from "../../server/routes/rewards.ts";
export type { Reward } from "../../server/routes/schemas.ts";
export type {
  StoryImportFailure,
  StoryImportLine,
  StoryImportPreview,
} from "../../server/routes/story-imports.ts";
export type {
  AuthorStory,
  FullStory,
  ModerationStory,
  PublicStory,
  StoryPage,
  StoryVerification,
} from "../../server/routes/story-schemas.ts";
export type { Delivery, DeliveryList, Endpoint, EndpointList } from "../../server/routes/webhooks.ts";

import type { Referral } from "../../server/routes/referrals.ts";
import type { PublicStory, StoryVerification } from "../../server/routes/story-schemas.ts";

/** What a friend is offered (the program's `friendOffer`). */
export type FriendOffer = NonNullable<Referral["offer"]>;
export type OutcomeType = PublicStory["outcome"]["type"];
export type Level = PublicStory["verificationLevel"];
export type Check = StoryVerification["checks"][number];
export type { Earnings } from "../../server/routes/payout-methods.ts";
export type { DuePayouts, PayoutBatch } from "../../server/routes/payouts.ts";
