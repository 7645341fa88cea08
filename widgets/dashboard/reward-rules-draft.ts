/**
 * The reward rules form's fields as people type them (amounts in major units, "500.00"), to and
 * from the rules the API takes (integer minor units: paise, yen, fils). Amounts are parsed as
 * decimal text, never through floats, with as many decimals as the currency has. Errors come back
 * keyed by field (`r0-amount`, `monthlyCap`) with a message key of reward-rules-strings.ts.
 */
import type { Settings } from "../lib/api-types.ts";

export type Rules = Settings["rewardRules"];
type Rule = Rules["rules"][number];
type Amount = Rule["reward"];

/** One rule's fields, as text. */
export type RuleDraft = {
  course: string;
  kind: Rule["kind"];
  type: Amount["type"];
  amount: string;
  currency: string;
  percent: string;
  cap: string;
  payments: "first" | "each";
  upTo: string;
  signup: string;
  tiers: string;
};

export type Draft = { rules: RuleDraft[]; monthlyCap: string; milestones: string };

/** A message key of the form's strings, with its values. */
export type Problem = { key: string; vars?: Record<string, string | number> };

/** Digits after the decimal point in the currency (INR 2, JPY 0, KWD 3). */
export function exponent(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "1234.5" INR → 123450; null when it is not an amount with at most the currency's decimals. */
export function toMinor(text: string, currency: string): number | null {
  const match = /^(\d{1,10})(?:\.(\d+))?$/.exec(text.trim().replaceAll(",", ""));
  const digits = exponent(currency);
  if (!match || (match[2]?.length ?? 0) > digits) return null;
  const minor = Number(match[1]) * 10 ** digits + Number((match[2] ?? "").padEnd(digits, "0") || "0");
  return minor <= 1_000_000_000 ? minor : null;
}

/** 123450 INR → "1234.50". */
export function fromMinor(amount: number, currency: string): string {
  const digits = exponent(currency);
  if (digits === 0) return String(amount);
  const text = String(amount).padStart(digits + 1, "0");
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

const tierText = (tier: Rule["tiers"][number]) =>
  tier.reward.type === "fixed"
    ? `${tier.from}: ${fromMinor(tier.reward.amount, tier.reward.currency)}`
    : `${tier.from}: ${tier.reward.percent}%`;

/** The stored rules as the form shows them. */
export function toDraft(rules: Rules): Draft {
  return {
    rules: rules.rules.map((rule) => {
      const currency =
        rule.reward.type === "fixed"
          ? rule.reward.currency
          : (rule.reward.cap?.currency ?? rule.signupReward?.currency ?? "INR");
      return {
        course: rule.course ?? "",
        kind: rule.kind,
        type: rule.reward.type,
        amount: rule.reward.type === "fixed" ? fromMinor(rule.reward.amount, currency) : "",
        currency,
        percent: rule.reward.type === "percent" ? String(rule.reward.percent) : "",
        cap: rule.reward.type === "percent" && rule.reward.cap ? fromMinor(rule.reward.cap.amount, currency) : "",
        payments: rule.payments === "first" ? "first" : "each",
        upTo: rule.payments === "first" ? "" : String(rule.payments.upTo),
        signup: rule.signupReward ? fromMinor(rule.signupReward.amount, rule.signupReward.currency) : "",
        tiers: rule.tiers.map(tierText).join("\n"),
      };
    }),
    monthlyCap: rules.monthlyCap === null ? "" : String(rules.monthlyCap),
    milestones: rules.milestones
      .map((m) => `${m.count}: ${fromMinor(m.bonus.amount, m.bonus.currency)} ${m.bonus.currency}`)
      .join("\n"),
  };
}

/** A new rule's fields: a fixed reward, first payment only. */
export const emptyRule = (course = ""): RuleDraft => ({
  course,
  kind: "credit",
  type: "fixed",
  amount: "",
  currency: "INR",
  percent: "",
  cap: "",
  payments: "first",
  upTo: "",
  signup: "",
  tiers: "",
});

const lines = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);

const percentPattern = /^\d{1,3}(\.\d{1,2})?$/;
const wholeNumber = (text: string, min: number, max: number) => {
  const n = /^\d{1,6}$/.test(text.trim()) ? Number(text) : Number.NaN;
  return n >= min && n <= max ? n : null;
};

/** The rules the fields describe, or the problems beside each field. */
export function fromDraft(draft: Draft): { rules: Rules } | { problems: Record<string, Problem> } {
  const problems: Record<string, Problem> = {};
  const seen = new Set<string>();
  const rules = draft.rules.map((d, i): Rule => {
    const at = (field: string, problem: Problem) => {
      problems[`r${i}-${field}`] ??= problem;
    };
    const course = d.course.trim().toLowerCase();
    if (course && !/^[a-z0-9][a-z0-9-]{0,63}$/.test(course)) at("course", { key: "badCourse" });
    if (seen.has(course)) at("course", { key: course ? "duplicateCourse" : "duplicateAll", vars: { course } });
    seen.add(course);
    const currency = d.currency.trim().toUpperCase();
    const knownCurrency = /^[A-Z]{3}$/.test(currency) && Intl.supportedValuesOf("currency").includes(currency);
    if (!knownCurrency) at("currency", { key: "badCurrency" });
    const money = (field: string, text: string) => {
      const amount = toMinor(text, currency);
      if (amount === null && knownCurrency) at(field, { key: "badAmount", vars: { digits: exponent(currency) } });
      return amount ?? 0;
    };
    const percent = (field: string, text: string) => {
      const value = Number(text.trim());
      if (!percentPattern.test(text.trim()) || value < 0.01 || value > 100) at(field, { key: "badPercent" });
      return value;
    };
    const reward: Amount =
      d.type === "fixed"
        ? { type: "fixed", amount: money("amount", d.amount), currency }
        : {
            type: "percent",
            percent: percent("percent", d.percent),
            cap: d.cap.trim() ? { amount: money("cap", d.cap), currency } : null,
          };
    const tiers = lines(d.tiers).map((line) => {
      const match = /^(\d{1,6})\s*:\s*(.+?)(%?)$/.exec(line);
      const from = match ? Number(match[1]) : 0;
      if (!match || from < 2) {
        at("tiers", { key: "badTier", vars: { line } });
        return { from, reward };
      }
      const value = match[2]!.trim();
      return {
        from,
        reward: match[3]
          ? ({ type: "percent", percent: percent("tiers", value), cap: null } as const)
          : ({ type: "fixed", amount: money("tiers", value), currency } as const),
      };
    });
    if (tiers.some((tier, j) => j > 0 && tier.from <= tiers[j - 1]!.from)) at("tiers", { key: "tierOrder" });
    const upTo = d.payments === "each" ? wholeNumber(d.upTo, 1, 120) : null;
    if (d.payments === "each" && upTo === null) at("upTo", { key: "badUpTo" });
    return {
      course: course || null,
      kind: d.kind,
      reward,
      tiers,
      payments: d.payments === "each" ? { upTo: upTo ?? 1 } : "first",
      signupReward: d.signup.trim() ? { amount: money("signup", d.signup), currency } : null,
    };
  });
  const monthlyCap = draft.monthlyCap.trim() ? wholeNumber(draft.monthlyCap, 1, 10_000) : null;
  if (draft.monthlyCap.trim() && monthlyCap === null) problems.monthlyCap = { key: "badCap" };
  const milestones = lines(draft.milestones).map((line) => {
    const match = /^(\d{1,6})\s*:\s*([\d.,]+)\s+([A-Za-z]{3})$/.exec(line);
    const currency = match?.[3]?.toUpperCase() ?? "INR";
    const amount = match ? toMinor(match[2]!, currency) : null;
    if (!match || amount === null || Number(match[1]) < 1)
      problems.milestones ??= { key: "badMilestone", vars: { line } };
    return { count: Number(match?.[1] ?? 1), bonus: { amount: amount ?? 0, currency } };
  });
  return Object.keys(problems).length ? { problems } : { rules: { rules, monthlyCap, milestones } };
}

/** The form's field for a server error's path (`rewardRules.rules.0.reward.amount` → `r0-amount`). */
export function fieldOfPath(path: string): string | null {
  const rule = /^rewardRules\.rules\.(\d+)\.([a-zA-Z]+)(?:\.([a-zA-Z]+))?/.exec(path);
  if (rule) {
    const [, i, part, sub] = rule;
    const field =
      part === "reward"
        ? sub === "percent"
          ? "percent"
          : sub === "cap"
            ? "cap"
            : sub === "currency"
              ? "currency"
              : "amount"
        : part === "signupReward"
          ? "signup"
          : part === "payments"
            ? "upTo"
            : part;
    return `r${i}-${field}`;
  }
  if (path.startsWith("rewardRules.monthlyCap")) return "monthlyCap";
  if (path.startsWith("rewardRules.milestones")) return "milestones";
  return null;
}
