/** Identifiers and secrets. Prefixes tell a reader what an id names (`ws_`, `clk_`, `sk_`…). */
import { customAlphabet, nanoid } from "nanoid";

const base62 = customAlphabet("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

/** A bearer secret such as a session cookie's value: 43 URL-safe characters, 258 random bits. */
export const secretToken = () => nanoid(43);

/** Referral codes avoid look-alike characters (0/o, 1/l/i) because people read and type them. */
export const referralCodeAlphabet = "23456789abcdefghjkmnpqrstuvwxyz";
const referralCode = customAlphabet(referralCodeAlphabet, 7);

export type IdPrefix =
  | "ws"
  | "key"
  | "crs"
  | "lrn"
  | "ref"
  | "clk"
  | "shr"
  | "cnv"
  | "rwd"
  | "sty"
  | "whk"
  | "evt"
  | "ses"
  | "icn"
  | "iev"
  | "srq"
  | "cpn"
  | "aud"
  | "blk"
  | "nte"
  | "rby"
  | "pob"
  | "mbr"
  | "mbl"
  | "wac";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${base62(16)}`;
}

/**
 * A click id that sorts by time: clicks arrive in time order, so the id index grows at its end
 * instead of at random pages (measured: a random id made each click's write several times
 * dearer). 9 base-36 characters of milliseconds, then 12 random ones.
 */
export function newClickId(now: number): string {
  return `clk_${now.toString(36).padStart(9, "0")}${base62(12)}`;
}

export function newReferralCode(): string {
  return referralCode();
}

/** A secret with 190 bits of entropy, shown once and stored only as a hash. */
export function newSecret(prefix: "pk" | "sk" | "tks" | "whsec" | "edit" | "ict" | "rby"): string {
  return `${prefix}_${base62(32)}`;
}
