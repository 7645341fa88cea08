/**
 * The one opaque cursor of every list: base64url of the sort key of the last item shown, its
 * parts joined by ":" (numbers as digits, strings as ids). Clients pass it back untouched. Each
 * list decodes it against the shape of its own key, so a cursor of another list, a forged one or
 * a truncated one answers 400 `invalid_request` and never reaches a query. A two-part key
 * (createdAt, id) encodes exactly as this module's cursors always did.
 */
import { DomainError } from "../services/errors.ts";

/** The sort key of a row, in the list's order: non-negative integers and ids. */
export type CursorKey = readonly (number | string)[];
/** The types of a list's key parts, in order. */
export type CursorShape = readonly ("number" | "string")[];
/** The decoded key of a cursor of shape `S`. */
export type CursorValue<S extends CursorShape> = { -readonly [K in keyof S]: S[K] extends "number" ? number : string };

const numberPart = /^\d{1,16}$/;
const stringPart = /^[\w-]{1,64}$/;

export function encodeCursor(key: CursorKey): string {
  const parts = key.map((part) => {
    const text = String(part);
    const valid = typeof part === "number" ? Number.isSafeInteger(part) && part >= 0 : stringPart.test(text);
    if (!valid) throw new Error(`A cursor key part must be a non-negative integer or an id, not ${text}`);
    return text;
  });
  return btoa(parts.join(":")).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The key in `value`, or null when there is no cursor; refuses anything but a cursor of this shape. */
export function decodeCursor<const S extends CursorShape>(value: string | undefined, shape: S): CursorValue<S> | null {
  if (!value) return null;
  let parts: string[] = [];
  try {
    parts = atob(value.replace(/-/g, "+").replace(/_/g, "/")).split(":");
  } catch {
    // not base64: refused below
  }
  const fits = (part: string, type: S[number]) => (type === "number" ? numberPart : stringPart).test(part);
  if (parts.length === shape.length && parts.every((part, i) => fits(part, shape[i] as S[number]))) {
    return parts.map((part, i) => (shape[i] === "number" ? Number(part) : part)) as CursorValue<S>;
  }
  throw new DomainError("invalid_request", "The cursor is invalid", [
    { path: "cursor", message: "not a cursor from this API" },
  ]);
}
