/** The reward rules form's strings (settings page), in English and Hindi. */
import { catalog } from "../lib/i18n.ts";

const en = {
  title: "Reward rules",
  intro:
    "What a referrer earns when a friend they referred enrols: a rule for all courses, and rules for single courses (a course's own rule wins). Amounts are in the currency's usual units (500.00 INR, 1500 JPY).",
  ruleAll: "Rule for all courses",
  ruleFor: "Rule for {course}",
  course: "Course (its slug; empty: all courses)",
  kind: "Reward kind",
  credit: "Credit",
  coupon: "Coupon code",
  cash: "Cash",
  type: "Reward",
  fixed: "A fixed amount",
  percent: "A percentage of the amount paid",
  amount: "Amount",
  currency: "Currency (ISO code, like INR)",
  percentValue: "Percentage (up to two decimals; rounded half up to the smallest unit)",
  cap: "At most (optional, in the currency above)",
  payments: "Instalments and renewals",
  first: "Reward the first payment only",
  each: "Reward each payment, up to",
  upTo: "Number of payments",
  signup: "Reward for the friend's sign-up (optional, small)",
  tiers: "Tiers (one per line, “from count: amount” or “from count: percent%”, like “5: 1000.00”)",
  remove: "Remove this rule",
  add: "Add a rule",
  monthlyCap: "Referrer rewards per referrer per month, at most (empty: no cap)",
  milestones: "Milestone bonuses (one per line, “count: amount currency”, like “10: 2000.00 INR”)",
  badCourse: "Use a course slug: lower-case letters, digits and hyphens, like data-analytics.",
  duplicateCourse: "There is already a rule for {course}: one rule per course.",
  duplicateAll: "There is already a rule for all courses: give this one a course.",
  badCurrency: "Enter an ISO currency code such as INR, USD or JPY.",
  badAmount: "Enter an amount with at most {digits} decimals, like 500 or 499.50.",
  badPercent: "Enter a percentage from 0.01 to 100, with at most two decimals.",
  badUpTo: "Enter a whole number of payments from 1 to 120.",
  badTier: "“{line}” is not a tier: write “5: 1000.00” or “5: 10%” (from 2 referrals up).",
  tierOrder: "List tiers from the smallest count up, each count once.",
  badCap: "Enter a whole number from 1 to 10000, or leave it empty.",
  badMilestone: "“{line}” is not a milestone: write “10: 2000.00 INR”.",
  problems: "Please fix {n} problem(s) below.",
  save: "Save reward rules",
  saved: "Reward rules saved.",
  invalid: "This value is not valid.",
};

export type RewardRulesKey = keyof typeof en;

export const rewardRulesText = catalog(en, () => import("./reward-rules-strings.hi.ts"));
