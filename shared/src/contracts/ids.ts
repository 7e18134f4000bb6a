/** Id checks without zod, for code on the web app's first page (shared/realtime/rooms.ts). */
// Both cases spelled out rather than an `i` flag: JSON Schema patterns (/openapi.json) have no flags.
export const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const isId = (s: unknown): s is string => typeof s === "string" && UUID_RE.test(s);
