/** The elements' only way to the server: the public HTTP API, with the page's publishable key. */
import { ChorusApiError, type RequestOptions, request } from "./http.ts";

export type ApiOptions = Omit<RequestOptions, "credentials"> & {
  /** A learner token, sent as `Authorization: Bearer …`. */
  token?: string;
};

export async function api<T>(path: string, options: ApiOptions = {}): Promise<T> {
  const config = window.chorus?.config;
  if (!config) throw new ChorusApiError(0, "no_loader", "Add the Chorus embed.js script tag to this page");
  const headers: Record<string, string> = { ...options.headers, "Chorus-Key": config.key };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  // The loader's early request for this path (see embed.ts), once; without an answer, ask again.
  const early = config.early?.[path];
  delete config.early?.[path];
  return ((await early) as T | null) ?? request<T>(config.apiBase + path, { ...options, headers });
}
