/** The elements' only way to the server: the public HTTP API, with the page's publishable key. */

export class ChorusApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Validation failures: `{ path: "outcome.salaryIncreasePct", message }`. */
    readonly details: { path?: string; message?: string }[] = [],
  ) {
    super(message);
  }
}

export type RequestOptions = {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  body?: unknown;
  token?: string;
  keepalive?: boolean;
  headers?: Record<string, string>;
};

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const config = window.chorus?.config;
  if (!config) throw new ChorusApiError(0, "no_loader", "Add the Chorus embed.js script tag to this page");
  const headers: Record<string, string> = { ...options.headers, "Chorus-Key": config.key };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  const response = await fetch(config.apiBase + path, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    keepalive: options.keepalive,
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    const details = Array.isArray(error?.details) ? error.details : [];
    throw new ChorusApiError(
      response.status,
      error?.code ?? "http_error",
      error?.message ?? response.statusText,
      details,
    );
  }
  return data as T;
}
