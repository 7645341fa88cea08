/**
 * What the signed-in member's role allows, as the server listed it (`permissions` of
 * GET /v1/dashboard/session): pages hide or disable what the role cannot do. The server still
 * decides every request; this only spares people buttons that would answer 403.
 */
let allowed = new Set<string>();

/** Replaces the allowed routes (`METHOD /path/{param}`) after sign-in. */
export function setAllowed(routes: readonly string[]): void {
  allowed = new Set(routes);
}

/** Whether the role may call the route, e.g. `can("PATCH /v1/admin/stories/{id}")`. */
export const can = (route: string): boolean => allowed.has(route);
