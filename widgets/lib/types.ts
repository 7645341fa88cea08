/** What the loader keeps and shares with the elements through `window.chorus`. */
import type { FriendOffer, ReferralInfo } from "./api-types.ts";

export type StoredReferral = {
  /** Null when the friend named their referrer (`<chorus-referred-by>`) instead of following a link. */
  code: string | null;
  clickId: string | null;
  /** When the visitor landed, and when the referral stops counting (the attribution window). */
  at: number;
  expires: number;
  referrer?: ReferralInfo["referrer"];
  offer?: FriendOffer | null;
  /** The referrer's friend coupon code, to type at checkout. */
  coupon?: string | null;
};

export type ChorusGlobal = {
  /** The referral to pass to your checkout: `{ code, clickId }`, or null. */
  referral(): { code: string | null; clickId: string | null } | null;
  /** Grants or withdraws consent to store the referral (with `data-consent="required"`). */
  consent(granted: boolean): void;
  /** Whether Chorus may store anything on this device (elements ask before they do). */
  consented(): boolean;
  /** Settles once a landing's referral has been recorded. */
  ready: Promise<void>;
  /** `early`: first answers the loader requested alongside the elements' code, by path, each taken once. */
  config: { key: string; apiBase: string; early?: Record<string, Promise<unknown>> };
  /** The full stored referral, for the banner. */
  details(): StoredReferral | null;
  visitorId(): string | undefined;
  /** Keeps a referral the friend confirmed in `<chorus-referred-by>`, as a link's would be kept. @internal */
  keep(referral: StoredReferral): void;
};

declare global {
  interface Window {
    chorus?: ChorusGlobal;
  }
}
