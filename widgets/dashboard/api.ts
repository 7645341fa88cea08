/**
 * The dashboard speaks the public HTTP API with its session cookie (same origin, HttpOnly, so
 * scripts never see it). Every change carries `X-Chorus-Dashboard: 1`, which the server requires
 * of cookie-authenticated changes (CSRF). The fetch itself is the elements' core (`lib/http.ts`).
 */
import { ChorusApiError, request as send } from "../lib/http.ts";

export { ChorusApiError };

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  try {
    return await send<T>(path, {
      method,
      body,
      credentials: "same-origin",
      headers: { Accept: "application/json", ...(method === "GET" ? {} : { "X-Chorus-Dashboard": "1" }) },
    });
  } catch (error) {
    if (!(error instanceof ChorusApiError))
      throw new ChorusApiError(
        0,
        "network_error",
        "The server cannot be reached. Check your connection and try again.",
      );
    if (error.status === 401) window.dispatchEvent(new CustomEvent("chorus-signed-out"));
    const message = error.message || `The server answered ${error.status}`;
    throw new ChorusApiError(error.status, error.code, message, error.details, error.requestId);
  }
}

export const get = <T>(path: string) => request<T>("GET", path);

/** `?a=1&b=2` from the defined values only. */
export function query(values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values))
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}
