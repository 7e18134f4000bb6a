import {
  hashKey,
  matchQuery,
  partialMatchKey,
  type Query,
  type QueryClient,
  type QueryKey,
} from "@tanstack/react-query";

export interface SchedulerOptions {
  /**
   * After a quiet period the first invalidation waits only this long: enough to
   * gather the other envelopes of the same change (they arrive within a
   * millisecond or two), short enough not to delay what the user waits for.
   */
  leadMs?: number;
  /**
   * Within this window after a query was refetched, further invalidations of it wait for the
   * window's end: a burst is one refetch per query per window. Other queries are not held back.
   */
  windowMs?: number;
}

/** Mutations that show an optimistic value name the query they hold in `meta.holds`. */
export interface HoldingMeta {
  holds?: QueryKey;
}

/**
 * Turns invalidations into refetches, under three rules:
 *  1. leading edge: a change is refetched after `leadMs` (enough to gather the
 *     other envelopes of the same change); a query refetched less than
 *     `windowMs` ago waits for the end of its window, so a burst is one refetch
 *     per query per window, and a batch refetches each matching query once,
 *     however many keys named it. The window is per query: a notification
 *     arriving right after a comment's feed update is not held back by it;
 *  2. a query has at most one refetch in flight: invalidated while fetching,
 *     it is fetched once more after the current fetch settles (that fetch may
 *     have read the old state), never cancelled and restarted;
 *  3. a query held by a pending optimistic mutation is not refetched under it
 *     (the refetch could read the state before the mutation and flicker); it
 *     is refetched once the mutation settles.
 * Inactive queries are only marked invalid, so they refetch when next shown.
 */
export class RefetchScheduler {
  private pending = new Map<string, QueryKey>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When each query was last refetched by a batch (performance.now()), while its window lasts. */
  private lastRefetch = new Map<string, number>();
  private followUps = new Set<string>();
  private deferred = new Map<string, Query>();
  private readonly leadMs: number;
  private readonly windowMs: number;
  private unsubscribeMutations: () => void;

  constructor(
    private readonly queryClient: QueryClient,
    opts: SchedulerOptions = {},
  ) {
    this.leadMs = opts.leadMs ?? 4;
    this.windowMs = opts.windowMs ?? 30;
    this.unsubscribeMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type !== "updated" || this.deferred.size === 0) return;
      if (event.action.type === "success" || event.action.type === "error") this.releaseDeferred();
    });
  }

  /** Queues keys for the next batch. */
  invalidate(keys: readonly QueryKey[]) {
    for (const key of keys) this.pending.set(hashKey(key), key);
    if (this.pending.size === 0 || this.timer !== null) return;
    this.schedule(this.leadMs);
  }

  private schedule(delay: number) {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), delay);
  }

  /** Runs the queued batch now; returns the keys it invalidated (deduplicated). */
  flush(): QueryKey[] {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const now = performance.now();
    for (const [hash, at] of this.lastRefetch) if (now - at >= this.windowMs) this.lastRefetch.delete(hash);
    const keys = minimalKeys([...this.pending.values()]);
    this.pending.clear();
    if (keys.length === 0) return keys;

    const cache = this.queryClient.getQueryCache();
    const targets = new Map<string, Query>();
    for (const queryKey of keys) {
      for (const query of cache.findAll({ queryKey })) targets.set(query.queryHash, query);
    }
    let wake = Number.POSITIVE_INFINITY;
    for (const query of targets.values()) {
      void this.queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true, refetchType: "none" });
      if (!query.isActive() || query.isDisabled()) continue;
      const last = this.lastRefetch.get(query.queryHash);
      // (A query still fetching gets its one follow-up from refetch(), which already covers this.)
      if (last !== undefined && query.state.fetchStatus !== "fetching") {
        // Refetched within its window: once more when the window ends, for everything that came meanwhile.
        this.pending.set(hashKey(query.queryKey), query.queryKey);
        wake = Math.min(wake, last + this.windowMs);
        continue;
      }
      this.lastRefetch.set(query.queryHash, now);
      this.refetch(query);
    }
    if (wake !== Number.POSITIVE_INFINITY) this.schedule(Math.max(0, wake - now));
    return keys;
  }

  /** Drops everything queued (tests, teardown). */
  dispose() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.pending.clear();
    this.unsubscribeMutations();
  }

  private refetch(query: Query) {
    const hash = query.queryHash;
    if (this.isHeld(query)) {
      this.deferred.set(hash, query);
      return;
    }
    const again = () =>
      this.queryClient.refetchQueries({ queryKey: query.queryKey, exact: true }, { cancelRefetch: false });
    if (query.state.fetchStatus === "fetching") {
      if (this.followUps.has(hash)) return;
      this.followUps.add(hash);
      // With cancelRefetch false this resolves when the fetch in flight settles.
      void again().finally(() => {
        this.followUps.delete(hash);
        if (this.queryClient.getQueryCache().get(hash) === query) this.refetch(query);
      });
      return;
    }
    void again();
  }

  private isHeld(query: Query) {
    return this.queryClient
      .getMutationCache()
      .getAll()
      .some((m) => {
        const holds = (m.meta as HoldingMeta | undefined)?.holds;
        return m.state.status === "pending" && holds !== undefined && matchQuery({ queryKey: holds }, query);
      });
  }

  private releaseDeferred() {
    // The mutation's state changes after its callbacks ran; look again once it has.
    queueMicrotask(() => {
      for (const [hash, query] of this.deferred) {
        if (this.isHeld(query)) continue;
        this.deferred.delete(hash);
        if (query.isActive()) this.refetch(query);
      }
    });
  }
}

/** Drops keys that a shorter key in the same batch already matches (`["projects"]` covers `["projects", …]`). */
export function minimalKeys(keys: readonly QueryKey[]): QueryKey[] {
  const sorted = [...keys].sort((a, b) => a.length - b.length);
  const out: QueryKey[] = [];
  for (const key of sorted) {
    if (out.some((shorter) => partialMatchKey(key, shorter))) continue;
    out.push(key);
  }
  return out;
}

const schedulers = new WeakMap<QueryClient, RefetchScheduler>();

/** The one scheduler of a query client, so mutations and events share batches. */
export function schedulerFor(queryClient: QueryClient): RefetchScheduler {
  let s = schedulers.get(queryClient);
  if (!s) {
    s = new RefetchScheduler(queryClient);
    schedulers.set(queryClient, s);
  }
  return s;
}

/** Invalidates through the shared scheduler (mutations use this instead of invalidateQueries). */
export function invalidateSoon(queryClient: QueryClient, keys: readonly QueryKey[]) {
  schedulerFor(queryClient).invalidate(keys);
}
