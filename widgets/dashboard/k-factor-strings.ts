/** The K-factor table's strings (k-factor-table.ts), in English and Hindi. */
import { catalog } from "../lib/i18n.ts";

const en = {
  title: "K-factor by cohort",
  explain:
    "A cohort is every learner who first enrolled that month, whether they shared or not. K-factor = enrolments they referred ÷ learners in the cohort = share who shared × enrolments per sharer, over the cohort's life so far. Above 1, each cohort brings a larger one by itself.",
  empty: "No learner first enrolled in this period.",
  caption: "K-factor per monthly cohort of learners, with its parts",
  cohort: "Cohort",
  learners: "Learners",
  shared: "Shared",
  perSharer: "Enrolments per sharer",
  kFactor: "K-factor",
  sharedOf: "{sharers} of {learners} ({rate})",
  quotient: "{part} ÷ {whole} = {value}",
};

export const kFactorText = catalog(en, () => import("./k-factor-strings.hi.ts"));
