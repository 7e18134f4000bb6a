import { BOOT_ELEMENT_ID, normalizePath } from "@shared/first-reads";

/**
 * The API answers the server inlined into the page (shared/src/first-reads.ts):
 * the first render of the page it was sent for finds its data here instead of
 * fetching it. Each answer is taken once, by the query that would have fetched
 * it (as that query's initialData), and whatever is left is dropped as soon as
 * the reader navigates: an answer is as fresh as a fetch made when the page was
 * sent, and the room subscriptions refetch what they cover once joined, like
 * any read made before the join.
 */
let answers: Map<string, unknown> | null = null;

function load(): Map<string, unknown> {
  if (answers) return answers;
  answers = new Map();
  const el = globalThis.document?.getElementById(BOOT_ELEMENT_ID);
  if (!el?.textContent) return answers;
  try {
    const inlined = JSON.parse(el.textContent) as Record<string, unknown>;
    for (const [path, answer] of Object.entries(inlined)) answers.set(normalizePath(path), answer);
  } catch {
    // A page without usable answers fetches as usual.
  }
  el.remove();
  return answers;
}

/** The inlined answer for a GET of `path` (under /api), once; undefined when there is none. */
export function takeBoot<T>(path: string): T | undefined {
  const map = load();
  const key = normalizePath(path);
  if (!map.has(key)) return undefined;
  const answer = map.get(key) as T;
  map.delete(key);
  return answer;
}

/** Forgets what was not used (the reader went elsewhere first). */
export function dropBoot() {
  load().clear();
}
