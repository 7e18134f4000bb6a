import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMetrics } from "../lib/metrics.js";
import type { Outgoing } from "./bus.js";
import { Coalescer } from "./coalescer.js";

const vote = (n: number, room: Outgoing["room"] = "feed"): Outgoing => ({
  room,
  type: "vote:cast",
  data: { projectId: "p", n },
  at: new Date(0).toISOString(),
  key: "vote:cast|p",
});
const added = (n: number): Outgoing => ({ room: "feed", type: "comment:added", data: { n }, at: "", key: undefined });

describe("Coalescer", () => {
  let sent: Outgoing[][];
  let c: Coalescer;
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    c = new Coalescer(
      20,
      async (b) => {
        sent.push(b);
        return true;
      },
      createMetrics(),
    );
  });
  afterEach(() => vi.useRealTimers());

  it("sends a lone change at once", () => {
    c.push([vote(1)]);
    expect(sent).toEqual([[vote(1)]]);
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(1);
  });

  it("merges a burst into one envelope per key per window, keeping the latest snapshot", () => {
    for (let i = 1; i <= 100; i++) {
      c.push([vote(i)]);
      vi.advanceTimersByTime(1); // 100 votes in 100 ms
    }
    vi.advanceTimersByTime(50);
    const flat = sent.flat();
    expect(flat[0]).toEqual(vote(1)); // leading edge: no delay for the first
    expect(flat.at(-1)).toEqual(vote(100)); // trailing edge: the final state always goes out
    expect(flat.length).toBeLessThanOrEqual(7); // ~one per 20 ms window
  });

  it("never merges events without a key, and keeps rooms apart", () => {
    c.push([vote(1)]);
    c.push([added(1), vote(2), added(2), vote(3, "project:x")]);
    vi.advanceTimersByTime(25);
    expect(sent[0]).toEqual([vote(1)]);
    expect(sent).toContainEqual([vote(3, "project:x")]); // a quiet room goes out at once
    const feed = sent.flat().filter((o) => o.room === "feed");
    expect(feed.map((o) => `${o.type}:${(o.data as { n: number }).n}`)).toEqual([
      "vote:cast:1",
      "comment:added:1",
      "vote:cast:2",
      "comment:added:2",
    ]);
  });

  it("sends the events of one mutation together even when they share a room", () => {
    const lb: Outgoing = { room: "feed", type: "leaderboard:updated", data: {}, at: "", key: "leaderboard:updated|lb" };
    c.push([vote(1), lb]);
    expect(sent).toEqual([[vote(1), lb]]);
  });

  it("drains what is waiting at shutdown", () => {
    c.push([vote(1)]);
    c.push([vote(2)]);
    expect(sent.flat()).toHaveLength(1);
    c.drain();
    expect(sent.flat()).toEqual([vote(1), vote(2)]);
  });

  it("passes everything through when the window is 0", () => {
    const direct = new Coalescer(
      0,
      async (b) => {
        sent.push(b);
        return true;
      },
      createMetrics(),
    );
    direct.push([vote(1)]);
    direct.push([vote(2)]);
    expect(sent).toEqual([[vote(1)], [vote(2)]]);
  });
});
