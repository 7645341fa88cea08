/** The friend coupon panel's strings (pool left, Stripe creations that failed), in English and Hindi. */
import { catalog } from "../lib/i18n.ts";

const en = {
  title: "Friend coupon codes",
  poolLeft: "Coupon pool: {available} codes left, {claimed} handed out.",
  poolLow:
    "The coupon pool is running low: {available} codes left. Create more codes on your platform and upload them, or new referrals get no code.",
  stripePending: "{count} codes are waiting to be created in Stripe (tried again automatically).",
  stripeFailed: "{count} codes could not be created in Stripe, so friends are not shown them:",
  retry: "Try again",
  retried: "{count} codes will be tried again.",
};

export const couponText = catalog(en, () => import("./friend-coupons-strings.hi.ts"));
