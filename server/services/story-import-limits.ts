/**
 * The story import's limits that its API document states too: a module of their own, so the
 * route can name them without loading the importer (worker.build.ts loads that on first use).
 */

/** Errors listed in a preview; beyond these only the count (a file of 100,000 bad rows). */
export const maxListedErrors = 1000;
