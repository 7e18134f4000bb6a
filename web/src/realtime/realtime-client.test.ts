import type { Envelope, EventData, EventType } from "@shared/realtime/events";
import { roomCovers, rooms } from "@shared/realtime/rooms";
import { QueryClient, type QueryKey } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RefetchScheduler } from "../lib/refetch-scheduler";
import { EVERYTHING, queryKeysForResources } from "./invalidation-map";
import { RealtimeClient, type SocketLike } from "./realtime-client";

const P = "11111111-1111-4111-8111-111111111111";
const O = "22222222-2222-4222-8222-222222222222";
const ME = "55555555-5555-4555-8555-555555555555";
const OTHER = "66666666-6666-4666-8666-666666666666";

type Ack = (r: unknown) => void;

/**
 * Just enough of a socket.io-client Socket, driven by the test as the server
 * would. Untyped on purpose (it fires anything, as a misbehaving server could);
 * the client sees it as a SocketLike.
 */
class FakeSocket {
  connected = false;
  listeners = new Map<string, Set<(...a: never[]) => void>>();
  emitted: { event: string; payload: unknown; ack?: Ack }[] = [];
  connects = 0;

  connect() {
    this.connects++;
  }
  disconnect() {
    if (!this.connected) return;
    this.connected = false;
    this.fire("disconnect", "io client disconnect");
  }
  on(event: string, fn: (...a: never[]) => void) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(fn);
  }
  off(event: string, fn?: (...a: never[]) => void) {
    if (fn) this.listeners.get(event)?.delete(fn);
    else this.listeners.delete(event);
  }
  emit(event: string, payload?: unknown, ack?: unknown) {
    this.emitted.push({ event, payload, ack: ack as Ack | undefined });
  }
  fire(event: string, ...args: unknown[]) {
    for (const fn of this.listeners.get(event) ?? []) (fn as (...a: unknown[]) => void)(...args);
  }
  // ——— the server side ———
  serverConnect() {
    this.connected = true;
    this.fire("connect");
  }
  serverDrop(reason = "transport close") {
    this.connected = false;
    this.fire("disconnect", reason);
  }
  subscriptions() {
    return this.emitted.filter((e) => e.event === "subscribe");
  }
  /** Answers the latest subscribe of a room. */
  ack(room: string, reply: unknown) {
    const sub = this.subscriptions()
      .reverse()
      .find((e) => (e.payload as { room: string }).room === room);
    if (!sub?.ack) throw new Error(`no subscribe for ${room}`);
    sub.ack(reply);
  }
  send<T extends EventType>(type: T, room: string, seq: number, data: EventData<T>) {
    const e: Envelope<T> = { type, room: room as Envelope["room"], seq, at: new Date().toISOString(), data };
    this.fire(type, e);
  }
}

const vote = { projectId: P, ownerId: O, score: 1, upvotes: 1, downvotes: 0 };
const feedCovers = () => queryKeysForResources(roomCovers(rooms.feed), { meId: null });

function setup(options: Partial<ConstructorParameters<typeof RealtimeClient>[0]> = {}) {
  const socket = new FakeSocket();
  const invalidated: QueryKey[][] = [];
  const scheduler = { invalidate: (keys: QueryKey[]) => invalidated.push([...keys]) } as unknown as RefetchScheduler;
  const notify = vi.fn();
  const onSessionEnded = vi.fn();
  const client = new RealtimeClient({
    socket: socket as unknown as SocketLike,
    queryClient: new QueryClient(),
    scheduler,
    notify,
    onSessionEnded,
    debug: () => false,
    pollMs: 45_000,
    offlineAfterMs: 8_000,
    ...options,
  });
  const stop = client.start();
  const takeInvalidated = () => invalidated.splice(0).flat();
  return { socket, client, stop, takeInvalidated, notify, onSessionEnded };
}

/** Connected, feed subscribed at `seq`, and the subscription's refetch already taken. */
function live(seq = 5, options: Partial<ConstructorParameters<typeof RealtimeClient>[0]> = {}) {
  const t = setup(options);
  t.socket.serverConnect();
  t.socket.ack("feed", { ok: true, seq });
  t.takeInvalidated();
  return t;
}

let stop: () => void = () => {};
afterEach(() => {
  stop();
  vi.useRealTimers();
});

describe("subscriptions", () => {
  it("subscribes to feed on connect and refetches what the feed covers once the join is acknowledged", () => {
    const t = setup();
    stop = t.stop;
    expect(t.socket.connects).toBe(1);
    t.socket.serverConnect();
    expect(t.socket.subscriptions().map((s) => s.payload)).toEqual([{ room: "feed" }]);
    expect(t.takeInvalidated()).toEqual([]);
    t.socket.ack("feed", { ok: true, seq: 5 });
    expect(t.takeInvalidated()).toEqual(feedCovers());
    expect(t.client.lastSeq("feed")).toBe(5);
  });

  it("subscribes to my user room once it knows who I am, and to a project room while it is watched", () => {
    const t = live();
    stop = t.stop;
    t.client.setUser(ME);
    const release = t.client.watchRoom(rooms.project(P));
    expect(t.socket.subscriptions().map((s) => (s.payload as { room: string }).room)).toEqual([
      "feed",
      `user:${ME}`,
      `project:${P}`,
    ]);
    expect(t.socket.connects).toBe(1); // the first identity needs no new handshake

    release();
    expect(t.socket.emitted.at(-1)).toMatchObject({ event: "unsubscribe", payload: { room: `project:${P}` } });
    t.socket.send("comment:voted", `project:${P}`, 1, { projectId: P, commentId: O, score: 2 });
    expect(t.takeInvalidated()).toEqual([]); // events of rooms we left are ignored
  });

  it("reconnects to pick up a new identity after login or logout", () => {
    const t = live();
    stop = t.stop;
    t.client.setUser(null);
    t.client.setUser(ME);
    expect(t.socket.connects).toBe(2);
    expect(t.client.getState().status).toBe("connecting");
    t.socket.serverConnect();
    expect(t.client.getState().status).toBe("live");
    const rooms_ = t.socket.subscriptions().map((s) => (s.payload as { room: string }).room);
    expect(rooms_.slice(-2)).toEqual(["feed", `user:${ME}`]);
  });
});

describe("joining with the page's own data (numbers read when the page was sent)", () => {
  const pageSeqs = (seqs: Record<string, number>) => {
    const left = new Map(Object.entries(seqs));
    return (room: string) => {
      const n = left.get(room);
      left.delete(room);
      return n;
    };
  };

  it("refetches nothing when the room has not moved since the page was read", () => {
    const t = setup({ initialSeq: pageSeqs({ feed: 7, [`project:${P}`]: 3 }) });
    stop = t.stop;
    t.socket.serverConnect();
    expect(t.socket.subscriptions().at(-1)?.payload).toEqual({ room: "feed", lastSeq: 7 });
    t.socket.ack("feed", { ok: true, seq: 7, missed: false });
    expect(t.takeInvalidated()).toEqual([]);
    t.client.watchRoom(rooms.project(P));
    t.socket.ack(`project:${P}`, { ok: true, seq: 3, missed: false });
    expect(t.takeInvalidated()).toEqual([]);
    // From there on, the room's events count as usual.
    t.socket.send("leaderboard:updated", "feed", 8, {});
    expect(t.takeInvalidated()).toEqual([["leaderboard"]]);
  });

  it("refetches what the room covers when it moved, or when the page knew no number for it", () => {
    const t = setup({ initialSeq: pageSeqs({ feed: 7 }) });
    stop = t.stop;
    t.socket.serverConnect();
    t.socket.ack("feed", { ok: true, seq: 8, missed: true });
    expect(t.takeInvalidated()).toEqual(feedCovers());
    t.client.watchRoom(rooms.project(P));
    expect(t.socket.subscriptions().at(-1)?.payload).toEqual({ room: `project:${P}` });
    t.socket.ack(`project:${P}`, { ok: true, seq: 3 });
    expect(t.takeInvalidated()).toEqual(queryKeysForResources(roomCovers(rooms.project(P)), { meId: null }));
  });

  it("uses the page's number once: a rejoin after a reconnect refetches, as the protocol says", () => {
    const t = setup({ initialSeq: pageSeqs({ feed: 7 }) });
    stop = t.stop;
    t.socket.serverConnect();
    t.socket.ack("feed", { ok: true, seq: 7, missed: false });
    t.socket.serverDrop();
    t.socket.serverConnect();
    expect(t.socket.subscriptions().at(-1)?.payload).toEqual({ room: "feed", lastSeq: 7 });
    t.socket.ack("feed", { ok: true, seq: 7, missed: false });
    expect(t.takeInvalidated()).toEqual(feedCovers());
  });
});

describe("seq per room", () => {
  it("applies the next event: invalidates what it affects, nothing more", () => {
    const t = live(5);
    stop = t.stop;
    t.socket.send("vote:cast", "feed", 6, vote);
    expect(t.takeInvalidated()).toEqual([
      ["projects", "detail", P],
      ["projects", "list"],
      ["leaderboard"],
      ["profiles", O],
    ]);
    expect(t.client.lastSeq("feed")).toBe(6);
  });

  it("ignores a duplicate", () => {
    const t = live(5);
    stop = t.stop;
    t.socket.send("vote:cast", "feed", 6, vote);
    t.takeInvalidated();
    t.socket.send("vote:cast", "feed", 6, vote);
    expect(t.takeInvalidated()).toEqual([]);
    expect(t.client.lastSeq("feed")).toBe(6);
  });

  it("on a gap refetches everything the room covers and takes the new seq", () => {
    const t = live(5);
    stop = t.stop;
    t.socket.send("leaderboard:updated", "feed", 8, {});
    const keys = t.takeInvalidated();
    expect(keys).toEqual(expect.arrayContaining(feedCovers()));
    expect(keys).toContainEqual(["leaderboard"]);
    expect(t.client.lastSeq("feed")).toBe(8);

    t.socket.send("leaderboard:updated", "feed", 9, {});
    expect(t.takeInvalidated()).toEqual([["leaderboard"]]); // back in step
  });

  it("treats a step backwards (a server that lost its numbering) like a gap", () => {
    const t = live(50);
    stop = t.stop;
    t.socket.send("leaderboard:updated", "feed", 3, {});
    expect(t.takeInvalidated()).toEqual(expect.arrayContaining(feedCovers()));
    t.socket.send("leaderboard:updated", "feed", 4, {});
    expect(t.takeInvalidated()).toEqual([["leaderboard"]]);
  });

  it("keeps rooms apart: a gap in one room does not touch another", () => {
    const t = live(5);
    stop = t.stop;
    t.client.watchRoom(rooms.project(P));
    t.socket.ack(`project:${P}`, { ok: true, seq: 100 });
    t.takeInvalidated();
    t.socket.send("comment:voted", `project:${P}`, 101, { projectId: P, commentId: O, score: 2 });
    t.socket.send("vote:cast", "feed", 6, vote);
    expect(t.takeInvalidated()).toEqual([
      ["projects", "detail", P],
      ["projects", "detail", P],
      ["projects", "list"],
      ["leaderboard"],
      ["profiles", O],
    ]);
    expect([t.client.lastSeq("feed"), t.client.lastSeq(`project:${P}`)]).toEqual([6, 101]);
  });

  it("applies events that arrive before the subscription's ack, and counts from the later of the two", () => {
    const t = setup();
    stop = t.stop;
    t.socket.serverConnect();
    t.socket.send("leaderboard:updated", "feed", 8, {});
    expect(t.takeInvalidated()).toEqual([["leaderboard"]]);
    t.socket.ack("feed", { ok: true, seq: 7 });
    t.takeInvalidated();
    expect(t.client.lastSeq("feed")).toBe(8);
    t.socket.send("leaderboard:updated", "feed", 9, {});
    expect(t.takeInvalidated()).toEqual([["leaderboard"]]);
  });
});

describe("reconnect", () => {
  it("resubscribes with lastSeq and treats the room as stale", () => {
    const t = live(5);
    stop = t.stop;
    t.socket.send("leaderboard:updated", "feed", 6, {});
    t.takeInvalidated();
    t.socket.serverDrop();
    expect(t.client.getState().status).toBe("reconnecting");

    t.socket.serverConnect();
    expect(t.socket.subscriptions().at(-1)?.payload).toEqual({ room: "feed", lastSeq: 6 });
    // Events after the reconnect but before the ack cannot be judged: applied as they come.
    t.socket.send("leaderboard:updated", "feed", 9, {});
    expect(t.takeInvalidated()).toEqual([["leaderboard"]]);
    t.socket.ack("feed", { ok: true, seq: 9, missed: true });
    expect(t.takeInvalidated()).toEqual(feedCovers());
    t.socket.send("leaderboard:updated", "feed", 10, {});
    expect(t.takeInvalidated()).toEqual([["leaderboard"]]);
  });

  it("refetches after a reconnect even when the server says nothing was missed", () => {
    const t = live(5);
    stop = t.stop;
    t.socket.serverDrop();
    t.socket.serverConnect();
    t.socket.ack("feed", { ok: true, seq: 5, missed: false });
    expect(t.takeInvalidated()).toEqual(feedCovers());
  });

  it("reconnects by itself when the server closed the connection on purpose", () => {
    const t = live(5);
    stop = t.stop;
    t.socket.serverDrop("io server disconnect");
    expect(t.socket.connects).toBe(2);
  });

  it("polls only while disconnected, shows Offline after a while, and stops polling once live", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-01-01T10:00:00Z"));
    const t = live(5);
    stop = t.stop;
    vi.advanceTimersByTime(120_000);
    expect(t.takeInvalidated()).toEqual([]); // no polling while live

    t.socket.serverDrop();
    expect(t.client.getState()).toEqual({ status: "reconnecting", downSince: Date.parse("2026-01-01T10:02:00Z") });
    vi.advanceTimersByTime(8_000);
    expect(t.client.getState().status).toBe("offline");
    vi.advanceTimersByTime(37_000);
    expect(t.takeInvalidated()).toEqual([EVERYTHING]);
    vi.advanceTimersByTime(45_000);
    expect(t.takeInvalidated()).toEqual([EVERYTHING]);

    t.socket.serverConnect();
    t.socket.ack("feed", { ok: true, seq: 5 });
    t.takeInvalidated();
    vi.advanceTimersByTime(200_000);
    expect(t.takeInvalidated()).toEqual([]);
    expect(t.client.getState()).toEqual({ status: "live", downSince: null });
  });
});

describe("side effects", () => {
  it("toasts intros and messages from my own room only", () => {
    const t = live(5);
    stop = t.stop;
    t.client.setUser(ME);
    t.socket.ack(`user:${ME}`, { ok: true, seq: 0 });
    t.socket.send("intro:received", `user:${ME}`, 1, { introId: P, fromUserId: OTHER, toUserId: ME, fromName: "Ann" });
    t.socket.send("message:received", `user:${ME}`, 2, {
      messageId: P,
      senderId: OTHER,
      recipientId: ME,
      senderName: "Ann",
    });
    // My own message reaches my room too: no toast for it.
    t.socket.send("message:received", `user:${ME}`, 3, {
      messageId: O,
      senderId: ME,
      recipientId: OTHER,
      senderName: "Me",
    });
    expect(t.notify.mock.calls.map(([n]) => n.title)).toEqual(["Ann asked you for an intro", "New message from Ann"]);
  });

  it("badge toasts reach the owner once, although the event arrives in three rooms", () => {
    const t = live(5);
    stop = t.stop;
    t.client.setUser(ME);
    t.socket.ack(`user:${ME}`, { ok: true, seq: 0 });
    t.client.watchRoom(rooms.project(P));
    t.socket.ack(`project:${P}`, { ok: true, seq: 0 });
    const data = { projectId: P, ownerId: ME, kind: "winner" as const, projectTitle: "Lockstep" };
    t.socket.send("badge:awarded", `project:${P}`, 1, data);
    t.socket.send("badge:awarded", "feed", 6, data);
    t.socket.send("badge:awarded", `user:${ME}`, 1, data);
    expect(t.notify).toHaveBeenCalledTimes(1);
  });

  it("reports a session ended elsewhere, but not the one we ended ourselves", () => {
    const t = live(5);
    stop = t.stop;
    t.socket.fire("session:ended", { reason: "signed out" });
    expect(t.onSessionEnded).toHaveBeenLastCalledWith(false);
    t.client.expectSignOut();
    t.socket.fire("session:ended", { reason: "signed out" });
    expect(t.onSessionEnded).toHaveBeenLastCalledWith(true);
  });

  it("logs every event with its seq and the keys it invalidated when the debug switch is on", () => {
    const log = vi.fn();
    const t = live(5, { debug: () => true, log });
    stop = t.stop;
    t.socket.send("leaderboard:updated", "feed", 6, {});
    t.socket.send("leaderboard:updated", "feed", 6, {});
    const lines = log.mock.calls.map((c) => c[0]);
    expect(lines).toContain('leaderboard:updated #6 in feed → ["leaderboard"]');
    expect(lines).toContain("leaderboard:updated #6 in feed: duplicate, ignored");
    expect(log.mock.calls.find((c) => c[0].startsWith("leaderboard:updated #6 in feed →"))?.[1]).toMatchObject({
      invalidates: [["leaderboard"]],
    });
  });
});

describe("the debug switch", () => {
  beforeEach(() => localStorage.removeItem("zerostaleDebug"));
  it("reads localStorage.zerostaleDebug", () => {
    const log = vi.fn();
    const t = live(5, { debug: undefined, log });
    stop = t.stop;
    t.socket.send("leaderboard:updated", "feed", 6, {});
    expect(log).not.toHaveBeenCalled();
    localStorage.zerostaleDebug = "1";
    t.socket.send("leaderboard:updated", "feed", 7, {});
    expect(log).toHaveBeenCalled();
    localStorage.removeItem("zerostaleDebug");
  });
});
