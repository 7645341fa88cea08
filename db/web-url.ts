/**
 * The one rule for every http(s) URL Chorus accepts (targets, fallbacks, course pages, webhook
 * and key URLs, photos, PUBLIC_URL): no user name or password before the host. A URL such as
 * `https://skillbridge.example@evil.test/login` reads as skillbridge.example and leads to
 * evil.test (issue 15), and no legitimate target needs credentials in its link.
 */
import { z } from "zod";

export const userinfoMessage = "must not contain a user name or password before the host (user@host)";

/** Whether `value` names a user or password (or an empty one: `https://@host`) before its host. */
export function hasUserinfo(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.username !== "" || url.password !== "") return true;
  } catch {
    return false;
  }
  // `https://@evil.test` parses with an empty user name: refused all the same.
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value.trim());
}

/** An http(s) URL (or only https, with `protocol: /^https$/`) without userinfo. */
export function webUrl(options: { protocol?: RegExp; error?: string } = {}) {
  return z
    .url({ protocol: options.protocol ?? /^https?$/, ...(options.error ? { error: options.error } : {}) })
    .refine((value) => !hasUserinfo(value), userinfoMessage);
}
