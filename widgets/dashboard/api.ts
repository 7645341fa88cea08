/**
 * The dashboard speaks the public HTTP API with its session cookie (same origin, HttpOnly, so
 * scripts never see it). Every change carries `X-Chorus-Dashboard: 1`, which the server requires
 * of cookie-authenticated changes (CSRF).
 */

/** An error envelope from the API, or a network failure (status 0). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") headers["X-Chorus-Dashboard"] = "1";
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiProblem(0, "network", "The server cannot be reached. Check your connection and try again.");
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: reported below.
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
    if (response.status === 401) window.dispatchEvent(new CustomEvent("chorus-signed-out"));
    throw new ApiProblem(
      response.status,
      error?.code ?? "http",
      error?.message ?? `The server answered ${response.status}`,
    );
  }
  return json as T;
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
