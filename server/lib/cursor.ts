/** Opaque list cursors: the (createdAt, id) of the last item shown, newest first. */
import { DomainError } from "../services/errors.ts";

export type Cursor = { createdAt: number; id: string };

export function encodeCursor(cursor: Cursor): string {
  return btoa(`${cursor.createdAt}:${cursor.id}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor(value: string | undefined): Cursor | null {
  if (!value) return null;
  try {
    const text = atob(value.replace(/-/g, "+").replace(/_/g, "/"));
    const match = text.match(/^(\d{1,16}):([\w-]{1,64})$/);
    if (match) return { createdAt: Number(match[1]), id: match[2]! };
  } catch {
    // fall through to the error below
  }
  throw new DomainError("invalid_request", "The cursor is invalid", [
    { path: "cursor", message: "not a cursor from this API" },
  ]);
}
