import { BOOT_ELEMENT_ID, normalizePath } from "@shared/first-reads";
import type { Room } from "@shared/realtime/rooms";

/**
 * What the server inlined into the page (shared/src/first-reads.ts): API
 * answers, and the numbers of the rooms the page joins, read before them.
 * The first render of the page it was sent for finds its data here instead of
 * fetching it. Each answer is taken once, by the query that would have fetched
 * it (as that query's initialData), and whatever is left is dropped as soon as
 * the reader navigates: an answer is as fresh as a fetch made when the page was
 * sent, and joining a room refetches what it covers unless its number shows
 * that nothing happened in it since (realtime-client.ts).
 */
let answers: Map<string, unknown> | null = null;
let seqs = new Map<string, number>();

function load(): Map<string, unknown> {
  if (answers) return answers;
  answers = new Map();
  const el = globalThis.document?.getElementById(BOOT_ELEMENT_ID);
  if (!el?.textContent) return answers;
  try {
    const inlined = JSON.parse(el.textContent) as { answers?: Record<string, unknown>; seqs?: Record<string, number> };
    for (const [path, answer] of Object.entries(inlined.answers ?? {})) answers.set(normalizePath(path), answer);
    seqs = new Map(Object.entries(inlined.seqs ?? {}).filter(([, n]) => typeof n === "number"));
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

/** The number `room` had when the page's answers were read, once; undefined when unknown. */
export function takeBootSeq(room: Room): number | undefined {
  load();
  const seq = seqs.get(room);
  seqs.delete(room);
  return seq;
}

/** Forgets what was not used (the reader went elsewhere first). */
export function dropBoot() {
  load().clear();
  seqs.clear();
}
