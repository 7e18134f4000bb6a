/**
 * What a page of the web app reads first, as API paths (under /api). The
 * server answers these itself when it sends the page and inlines the answers
 * into its HTML (server/src/plugins/web.ts), so the first render needs no
 * request; the web app asks for its data by the same paths (web/src/lib/boot.ts
 * hands it the inlined answer instead of fetching). One definition of the paths
 * and of how a URL picks a feed page, so the two sides cannot disagree; when
 * they do anyway (a hand-typed URL), the app just fetches. Plain data, no zod.
 */

import { isId } from "./contracts/ids";
import type { FeedSort } from "./contracts/projects";
import type { PageRoute } from "./page-routes";
import { type Room, rooms } from "./realtime/rooms";

export const SESSION_PATH = "/auth/session";
/** The id of the page's `<script type="application/json">` that carries the answers. */
export const BOOT_ELEMENT_ID = "zs-boot";

export const FEED_PAGE_SIZE = 10;
const FEED_SORTS: readonly FeedSort[] = ["trending", "newest", "top"];

export interface FeedFilters {
  /** Undefined: the server's default (relevance for a search, otherwise trending). */
  sort?: FeedSort | undefined;
  page: number;
  pageSize: number;
  q?: string | undefined;
  tag?: string | undefined;
  following?: boolean | undefined;
}

/** The feed URL for some filters (SPEC: each filter combines with the others). */
export function feedPath(f: FeedFilters): string {
  const params = new URLSearchParams();
  if (f.sort) params.set("sort", f.sort);
  params.set("page", String(f.page));
  params.set("pageSize", String(f.pageSize));
  if (f.q) params.set("q", f.q);
  if (f.tag) params.set("tag", f.tag);
  if (f.following) params.set("following", "true");
  return `/projects?${params}`;
}

export const projectPath = (id: string) => `/projects/${encodeURIComponent(id)}`;
export const profilePath = (userId: string) => `/users/${encodeURIComponent(userId)}`;

/** The feed page a URL of the feed (or the Following tab) shows: `?sort=` and `?page=`, with their defaults. */
export function feedPageOf(search: URLSearchParams, following: boolean): { sort: FeedSort; page: number } {
  const asked = search.get("sort");
  const sort = FEED_SORTS.find((s) => s === asked) ?? (following ? "newest" : "trending");
  const page = Math.max(1, Math.floor(Number(search.get("page") ?? 1)) || 1);
  return { sort, page };
}

/** The values of a route's `:params` in a path that matches it (see matchPageRoute). */
export function routeParams(route: PageRoute, pathname: string): Record<string, string> {
  const parts = pathname.split("/").filter(Boolean);
  const out: Record<string, string> = {};
  route
    .split("/")
    .filter(Boolean)
    .forEach((segment, i) => {
      if (segment.startsWith(":") && parts[i] !== undefined) out[segment.slice(1)] = decodeURIComponent(parts[i]);
    });
  return out;
}

/**
 * The API reads a page starts with, besides the session (which every page
 * reads). Only what the first screen shows: a project page's comments come
 * with the project, later pages of anything are fetched when asked for.
 */
export function firstReads(route: PageRoute, pathname: string, search: URLSearchParams): string[] {
  switch (route) {
    case "/":
    case "/following": {
      const following = route === "/following";
      return [feedPath({ ...feedPageOf(search, following), pageSize: FEED_PAGE_SIZE, following })];
    }
    case "/projects/:id": {
      const id = routeParams(route, pathname).id;
      // The page asks for the project by its lower-case id (ids are UUIDs; a link may be in capitals).
      return id ? [projectPath(id.toLowerCase())] : [];
    }
    default:
      return [];
  }
}

/**
 * The rooms a page joins as it opens: the feed (every page), the reader's own
 * room, and a project page's project. The server reads their numbers before
 * the page's first reads, so the app can tell from the subscribe answer whether
 * anything happened in them since (web/src/realtime/realtime-client.ts).
 */
export function firstRooms(route: PageRoute, pathname: string, userId: string | null): Room[] {
  const out: Room[] = [rooms.feed];
  if (userId) out.push(rooms.user(userId));
  const id = route === "/projects/:id" ? routeParams(route, pathname).id?.toLowerCase() : undefined;
  if (id && isId(id)) out.push(rooms.project(id));
  return out;
}

/** Reads that follow from a first read's answer: a project page's follow button shows its owner's profile. */
export function followUpReads(path: string, answer: unknown): string[] {
  const owner = (answer as { owner?: { id?: unknown } } | null)?.owner?.id;
  return /^\/projects\/[^/?]+$/.test(path) && typeof owner === "string" ? [profilePath(owner)] : [];
}

/** A path in one spelling, whatever the order of its query parameters. */
export function normalizePath(path: string): string {
  const q = path.indexOf("?");
  if (q === -1) return path;
  const params = [...new URLSearchParams(path.slice(q + 1))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${path.slice(0, q)}?${new URLSearchParams(params)}`;
}
