import { MutationObserver, QueryClient, type QueryKey, QueryObserver } from "@tanstack/react-query";
import { afterEach, describe, expect, it } from "vitest";
import { minimalKeys, RefetchScheduler } from "./refetch-scheduler";

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function setup(opts: ConstructorParameters<typeof RefetchScheduler>[1] = { leadMs: 2, windowMs: 5 }) {
  const qc = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  const scheduler = new RefetchScheduler(qc, opts);
  const calls = new Map<string, number>();
  const unsubscribers: (() => void)[] = [];
  /** An active query (it has an observer, as a mounted component would). */
  const watch = (queryKey: QueryKey, fn?: () => Promise<unknown>) => {
    const name = JSON.stringify(queryKey);
    const observer = new QueryObserver(qc, {
      queryKey,
      queryFn: async () => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return fn ? fn() : calls.get(name);
      },
    });
    unsubscribers.push(observer.subscribe(() => {}));
    return () => calls.get(name) ?? 0;
  };
  const cleanup = () => {
    for (const u of unsubscribers) u();
    scheduler.dispose();
    qc.clear();
  };
  return { qc, scheduler, watch, cleanup };
}

let cleanup: () => void = () => {};
afterEach(() => cleanup());

describe("RefetchScheduler", () => {
  it("turns a burst of invalidations into one refetch per query", async () => {
    const s = setup();
    cleanup = s.cleanup;
    const feed = s.watch(["projects", "list", { sort: "trending" }]);
    const detail = s.watch(["projects", "detail", "p1"]);
    const board = s.watch(["leaderboard"]);
    await tick(5);
    expect([feed(), detail(), board()]).toEqual([1, 1, 1]);

    // 50 vote events within a few ms, each naming the same three resources.
    for (let i = 0; i < 50; i++) {
      s.scheduler.invalidate([["projects", "list"], ["projects", "detail", "p1"], ["leaderboard"]]);
    }
    await tick(30);
    expect([feed(), detail(), board()]).toEqual([2, 2, 2]);
  });

  it("refetches a lone change at once (leading edge) and gathers what follows into the window's end", async () => {
    const s = setup({ leadMs: 2, windowMs: 200 });
    cleanup = s.cleanup;
    const board = s.watch(["leaderboard"]);
    await tick(5);
    s.scheduler.invalidate([["leaderboard"]]);
    s.scheduler.invalidate([["leaderboard"]]); // the same change's other envelope
    await tick(20);
    expect(board()).toBe(2); // after leadMs, not after the 200 ms window
    s.scheduler.invalidate([["leaderboard"]]);
    s.scheduler.invalidate([["leaderboard"]]);
    await tick(20);
    expect(board()).toBe(2); // within the window: waits for its end
    await tick(250);
    expect(board()).toBe(3); // one refetch for the rest of the burst
  });

  it("holds back only the query that was just refetched, not the others", async () => {
    const s = setup({ leadMs: 2, windowMs: 200 });
    cleanup = s.cleanup;
    const feed = s.watch(["projects", "list"]);
    const inbox = s.watch(["notifications", "me"]);
    await tick(5);
    s.scheduler.invalidate([["projects", "list"]]); // a comment's feed update…
    await tick(10);
    s.scheduler.invalidate([
      ["notifications", "me"],
      ["projects", "list"],
    ]); // …then its notification
    await tick(20);
    expect(inbox()).toBe(2); // at once, although the feed's window is open
    expect(feed()).toBe(2); // the feed waits for its window's end
    await tick(250);
    expect(feed()).toBe(3);
  });

  it("never runs two fetches of one query at once: invalidated while fetching, it refetches once after", async () => {
    const s = setup();
    cleanup = s.cleanup;
    const gates: ReturnType<typeof deferred<number>>[] = [];
    const count = s.watch(["projects", "detail", "p1"], () => {
      const d = deferred<number>();
      gates.push(d);
      return d.promise;
    });
    await tick(1);
    expect(count()).toBe(1); // the first fetch is in flight

    for (let i = 0; i < 3; i++) {
      s.scheduler.invalidate([["projects", "detail", "p1"]]);
      s.scheduler.flush();
    }
    await tick(1);
    expect(count()).toBe(1); // not cancelled, not doubled

    gates[0]!.resolve(1);
    await tick(5);
    expect(count()).toBe(2); // exactly one follow-up
    gates[1]!.resolve(2);
    await tick(5);
    expect(count()).toBe(2);
    expect(s.qc.getQueryData(["projects", "detail", "p1"])).toBe(2);
  });

  it("only marks inactive queries stale (they refetch when shown again)", async () => {
    const s = setup();
    cleanup = s.cleanup;
    let fetched = 0;
    await s.qc.prefetchQuery({ queryKey: ["profiles", "u1"], queryFn: async () => ++fetched });
    s.scheduler.invalidate([["profiles"]]);
    s.scheduler.flush();
    await tick(5);
    expect(fetched).toBe(1);
    expect(s.qc.getQueryState(["profiles", "u1"])?.isInvalidated).toBe(true);
  });

  it("holds a query while an optimistic mutation on it is pending, then refetches it once", async () => {
    const s = setup();
    cleanup = s.cleanup;
    const key = ["projects", "detail", "p1"];
    const count = s.watch(key);
    await tick(5);
    const gate = deferred<string>();
    const mutation = new MutationObserver(s.qc, { mutationFn: () => gate.promise, meta: { holds: key } });
    const done = mutation.mutate(undefined);

    s.scheduler.invalidate([key]);
    s.scheduler.flush();
    await tick(5);
    expect(count()).toBe(1); // no refetch under the optimistic value

    gate.resolve("ok");
    await done;
    await tick(5);
    expect(count()).toBe(2);
  });

  it("reports the deduplicated keys of a batch, dropping keys a shorter one covers", () => {
    const s = setup();
    cleanup = s.cleanup;
    s.scheduler.invalidate([["projects", "detail", "a"], ["projects"], ["projects", "list"], ["leaderboard"]]);
    s.scheduler.invalidate([["leaderboard"]]);
    expect(s.scheduler.flush()).toEqual([["projects"], ["leaderboard"]]);
    expect(s.scheduler.flush()).toEqual([]);
  });

  it("treats [] as everything", () => {
    expect(minimalKeys([["a", 1], [], ["b"]])).toEqual([[]]);
  });
});
