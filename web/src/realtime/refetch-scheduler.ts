import {
  hashKey,
  matchQuery,
  partialMatchKey,
  type Query,
  type QueryClient,
  type QueryKey,
} from "@tanstack/react-query";

export interface SchedulerOptions {
  /** Invalidations arriving within this window (or before the next animation frame) make one batch. */
  windowMs?: number;
  /** Next-frame scheduling; null runs on the timer alone (tests, hidden tabs). */
  requestFrame?: ((cb: () => void) => number) | null;
  cancelFrame?: (id: number) => void;
}

/** Mutations that show an optimistic value name the query they hold in `meta.holds`. */
export interface HoldingMeta {
  holds?: QueryKey;
}

/**
 * Turns invalidations into refetches, under three rules:
 *  1. a burst (everything within one frame or `windowMs`) is one batch, and a
 *     batch refetches each matching query once, however many keys named it;
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
  private frame: number | null = null;
  private followUps = new Set<string>();
  private deferred = new Map<string, Query>();
  private readonly windowMs: number;
  private readonly requestFrame: SchedulerOptions["requestFrame"];
  private readonly cancelFrame: SchedulerOptions["cancelFrame"];
  private unsubscribeMutations: () => void;

  constructor(
    private readonly queryClient: QueryClient,
    opts: SchedulerOptions = {},
  ) {
    this.windowMs = opts.windowMs ?? 30;
    const hasRaf = typeof requestAnimationFrame === "function";
    // Wrapped: called as a method, the browser's requestAnimationFrame throws "Illegal invocation".
    this.requestFrame =
      opts.requestFrame !== undefined ? opts.requestFrame : hasRaf ? (cb) => requestAnimationFrame(cb) : null;
    this.cancelFrame = opts.cancelFrame ?? (hasRaf ? (id) => cancelAnimationFrame(id) : undefined);
    this.unsubscribeMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type !== "updated" || this.deferred.size === 0) return;
      if (event.action.type === "success" || event.action.type === "error") this.releaseDeferred();
    });
  }

  /** Queues keys for the next batch. */
  invalidate(keys: readonly QueryKey[]) {
    for (const key of keys) this.pending.set(hashKey(key), key);
    if (this.pending.size === 0 || this.timer !== null) return;
    this.timer = setTimeout(() => this.flush(), this.windowMs);
    if (this.requestFrame) this.frame = this.requestFrame(() => this.flush());
  }

  /** Runs the queued batch now; returns the keys it invalidated (deduplicated). */
  flush(): QueryKey[] {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.frame !== null) this.cancelFrame?.(this.frame);
    this.timer = null;
    this.frame = null;
    const keys = minimalKeys([...this.pending.values()]);
    this.pending.clear();
    if (keys.length === 0) return keys;

    const cache = this.queryClient.getQueryCache();
    const targets = new Map<string, Query>();
    for (const queryKey of keys) {
      for (const query of cache.findAll({ queryKey })) targets.set(query.queryHash, query);
    }
    for (const query of targets.values()) {
      void this.queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true, refetchType: "none" });
      if (query.isActive() && !query.isDisabled()) this.refetch(query);
    }
    return keys;
  }

  /** Drops everything queued (tests, teardown). */
  dispose() {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.frame !== null) this.cancelFrame?.(this.frame);
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
