/** The auto-approve panel's strings (settings page), in English and Hindi. */
import { catalog } from "../lib/i18n.ts";

const en = {
  title: "Auto-approve stories",
  intro:
    "A story that meets every condition you set here is published without a moderator; any other waits for one as usual. Each automatic decision is in the audit trail, with the conditions a held story missed.",
  enabled: "Approve stories that meet these conditions automatically",
  requireCredential: "Only stories verified by a credential",
  minRating: "Lowest rating (empty: any rating)",
  blockedWords: "Blocked words or phrases (one per line; matched as whole words, in any case)",
  badRating: "Enter a whole number from 1 to 5, or leave it empty.",
  longWord: "“{word}” is longer than 100 characters.",
  problems: "Please fix {n} problem(s) below.",
  save: "Save auto-approve",
  saved: "Saved. Stories that meet the conditions are approved automatically.",
  savedOff: "Saved. Every story waits for a moderator.",
  invalid: "This value is not valid.",
};

export type AutoApproveKey = keyof typeof en;

export const autoApproveText = catalog(en, () => import("./auto-approve-strings.hi.ts"));
