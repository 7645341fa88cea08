/**
 * The auto-approve rule (program setting `autoApprove`, off by default): a story that was just
 * submitted or edited, and waits for moderation, is approved without a moderator when it meets
 * every condition the provider set. Each automatic decision is in the audit trail, by the actor
 * `system:auto-approve`: `story.auto_approve` with the conditions that passed, or
 * `story.auto_hold` with the ones the story missed (it then waits for a moderator as before).
 */
import type { AutoApprove } from "../../db/program-settings.ts";
import { recordAudit } from "./audit.ts";
import { DomainError } from "./errors.ts";
import { moderateStory, type StoryRow } from "./stories.ts";
import type { PhotoContext } from "./story-photos.ts";

type Rule = AutoApprove;
type Checked = Pick<StoryRow, "verificationLevel" | "rating" | "name" | "headline" | "body">;

/** One condition of the rule, as the audit trail names it. */
export type AutoCheck = {
  condition: "requireCredential" | "minRating" | "blockedWords";
  passed: boolean;
  /** Why, in a few words: the level, the rating, the blocked word found. */
  detail: string;
};

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The first of `words` that appears in `text` as a whole word (or phrase), in any case. Word
 * boundaries are letters, marks and digits of any script (`\b` knows only ASCII, and would find
 * "class" in "classic" but miss a Hindi word's edges), so "scam" matches "Scam!" but not "scampi".
 */
export function blockedWordIn(words: readonly string[], text: string): string | null {
  const normalized = text.normalize("NFC");
  for (const word of words) {
    const clean = word.normalize("NFC").trim();
    if (!clean) continue;
    const pattern = new RegExp(`(?<![\\p{L}\\p{M}\\p{N}_])${literal(clean)}(?![\\p{L}\\p{M}\\p{N}_])`, "iu");
    if (pattern.test(normalized)) return clean;
  }
  return null;
}

/** What each condition the provider set says about the story (conditions left unset are not listed). */
export function autoApproveChecks(rule: Rule, story: Checked): AutoCheck[] {
  const checks: AutoCheck[] = [];
  if (rule.requireCredential)
    checks.push({
      condition: "requireCredential",
      passed: story.verificationLevel === "credential_verified",
      detail: `verification level ${story.verificationLevel}`,
    });
  if (rule.minRating !== null)
    checks.push({
      condition: "minRating",
      passed: story.rating >= rule.minRating,
      detail: `rating ${story.rating}, at least ${rule.minRating} wanted`,
    });
  if (rule.blockedWords.length > 0) {
    const found = blockedWordIn(rule.blockedWords, [story.name, story.headline, story.body].join("\n"));
    checks.push({
      condition: "blockedWords",
      passed: found === null,
      detail: found === null ? "no blocked word" : `contains the blocked word "${found}"`,
    });
  }
  return checks;
}

const passes = (rule: Rule, story: Checked) => autoApproveChecks(rule, story).every((check) => check.passed);

/** Who the audit trail names for an automatic decision. */
const autoActor = { actor: { kind: "system" as const, id: "auto-approve" }, requestId: null };

/**
 * Applies the workspace's rule to a story that waits for moderation; answers the story as it now
 * stands (approved, or unchanged). Off, or for a story that does not wait, it does nothing.
 */
export async function applyAutoApprove(ctx: PhotoContext, story: StoryRow): Promise<StoryRow> {
  const rule = ctx.workspace.settings.autoApprove;
  if (!rule.enabled || story.status !== "pending") return story;
  const checks = autoApproveChecks(rule, story);
  const auditCtx = { ...ctx, audit: autoActor };
  if (checks.every((check) => check.passed)) {
    try {
      return await moderateStory(
        auditCtx,
        { id: story.id, status: "approved" },
        {
          action: "story.auto_approve",
          detail: { rule: "autoApprove", checks },
          // Decided again on the story as it stands inside the write: an edit or a moderator's
          // decision in between is never approved on the strength of the text checked before it.
          onlyIf: (current) => current.status === "pending" && passes(rule, current),
        },
      );
    } catch (error) {
      // Withdrawn meanwhile: the author's own call already answered; nothing to approve.
      if (error instanceof DomainError && error.code === "conflict") return story;
      throw error;
    }
  }
  await recordAudit(
    { tx: ctx.db, workspace: ctx.workspace, clock: ctx.clock, audit: autoActor },
    {
      action: "story.auto_hold",
      targetId: story.id,
      after: {
        status: "pending",
        rule: "autoApprove",
        missed: checks.filter((check) => !check.passed).map((check) => check.condition),
        checks,
      },
      learnerId: story.learnerId,
    },
  );
  return story;
}
