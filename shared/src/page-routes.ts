/**
 * The web app's pages, as patterns (`:param` is one non-empty path segment).
 * The server answers a path that matches none of them with HTTP 404 (still
 * the app's page, which then shows "Page not found"); the web router is
 * built from the same list, so the two cannot disagree about what exists.
 * Plain data, no zod: the server and the first page of the app both read it.
 */
export const PAGE_ROUTES = [
  "/",
  "/projects/new",
  "/projects/:id",
  "/projects/:id/edit",
  "/leaderboard",
  "/users/:id",
  "/intros",
  "/messages",
  "/messages/:userId",
  "/login",
  "/signup",
  "/search",
  "/following",
  "/notifications",
] as const;

export type PageRoute = (typeof PAGE_ROUTES)[number];

const segments = (path: string) => path.split("/").filter(Boolean);

function matches(pattern: string, parts: string[]) {
  const want = segments(pattern);
  return want.length === parts.length && want.every((w, i) => w.startsWith(":") || w === parts[i]);
}

/** The page a path (no query string) shows, or null for an unknown URL. A trailing slash is allowed. */
export function matchPageRoute(pathname: string): PageRoute | null {
  let parts: string[];
  try {
    parts = segments(pathname).map(decodeURIComponent);
  } catch {
    return null;
  }
  if (pathname.includes("//") || parts.some((p) => p === "." || p === "..")) return null;
  // Literal patterns first: /projects/new is a page, not a project with id "new".
  const literal = PAGE_ROUTES.find((p) => !p.includes(":") && matches(p, parts));
  return literal ?? PAGE_ROUTES.find((p) => matches(p, parts)) ?? null;
}
