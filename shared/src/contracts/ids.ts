/** Id checks without zod, for code on the web app's first page (shared/realtime/rooms.ts). */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isId = (s: unknown): s is string => typeof s === "string" && UUID_RE.test(s);
