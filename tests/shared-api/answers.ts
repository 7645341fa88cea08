/**
 * The shapes of answers that both API suites read (this one over HTTP, tests/api in process): types
 * only, so either suite may import them and nothing runs.
 */

/** `POST /v1/referrals/me`: the learner's code, link and what it has brought. */
export type ReferralAnswer = {
  code: string;
  link: string;
  shareLinks: Record<string, string>;
  stats: Record<string, number>;
  rewards: unknown[];
  offer: unknown;
};

/** `GET /openapi.json`, as far as the tests read it. */
export type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
};
