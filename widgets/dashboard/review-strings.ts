/** The review queue's strings (cases, evidence, decisions, blocks, notes), in English and Hindi. */
import { catalog } from "../lib/i18n.ts";

const en = {
  title: "Review queue",
  intro: "Conversions a fraud rule flagged: their rewards are held until you decide.",
  empty: "Nothing to review. Flagged conversions appear here with the rules that fired.",
  select: "Select case {id}",
  selectAll: "Select all cases",
  selected: "{count} selected",
  approve: "Approve",
  void: "Void",
  ban: "Ban referrer",
  evidence: "Why it was held",
  rewards: "Held rewards",
  referrer: "Referrer",
  notes: "Notes",
  note: "Add a note",
  addNote: "Save note",
  reason: "Reason (required to ban or block)",
  confirmTitle: "Confirm",
  confirmApprove: "Approve {count} case(s)? Their held rewards are released.",
  confirmVoid: "Void {count} case(s)? Their held rewards are voided.",
  confirmBan:
    "Ban the referrer of {count} case(s)? Their codes stop crediting and all their pending rewards are voided.",
  confirm: "Yes, do it",
  cancel: "Cancel",
  done: "{count} case(s) decided, {rewards} reward(s) changed.",
  blockEmail: "Block this email",
  blockNetwork: "Block this network",
  blockDomain: "Block a domain",
  domain: "Email domain",
  blocked: "Blocked.",
  blockList: "Block list",
  noBlocks: "Nothing blocked yet.",
  unblock: "Remove",
};

export const reviewText = catalog(en, () => import("./review-strings.hi.ts"));
