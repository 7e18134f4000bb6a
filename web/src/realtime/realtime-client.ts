import { type AnyEnvelope, ENVELOPE_TYPES, type EnvelopeType } from "@shared/realtime/events";
import { type Room, roomCovers, rooms } from "@shared/realtime/rooms";
import type { SubscribeAck } from "@shared/realtime/socket-events";
import { focusManager, type QueryClient, type QueryKey } from "@tanstack/react-query";
import type { ConnectionState, RealtimeLink } from "../lib/realtime-link";
import { type RefetchScheduler, schedulerFor } from "../lib/refetch-scheduler";
import type { AppSocket } from "../lib/socket";
import { type EffectContext, runEffect } from "./event-effects";
import { patchFromEvent } from "./event-patches";
import { EVERYTHING, queryKeysForEvent, queryKeysForResources } from "./invalidation-map";
import { SeqTracker } from "./seq-tracker";

/** The part of the tab's socket we use (a fake one in tests). */
export type SocketLike = Pick<AppSocket, "connected" | "connect" | "disconnect" | "on" | "off" | "emit">;

export interface RealtimeOptions {
  socket: SocketLike;
  queryClient: QueryClient;
  scheduler?: RefetchScheduler;
  /** Background refetch period while the socket is down. */
  pollMs?: number;
  /** How long "Reconnecting…" lasts before it turns into "Offline since …". */
  offlineAfterMs?: number;
  now?: () => number;
  path?: () => string;
  notify?: EffectContext["notify"];
  /** The server ended this session (logout elsewhere, revocation); `expected` when we asked for it. */
  onSessionEnded?: (expected: boolean) => void;
  debug?: () => boolean;
  log?: (...args: unknown[]) => void;
  /**
   * The number a room had when the page's inlined data was read (lib/boot.ts),
   * asked once, on the first join: if the room has not moved since, nothing it
   * covers changed and the join refetches nothing.
   */
  initialSeq?: (room: Room) => number | undefined;
}

const DEBUG_KEY = "zerostaleDebug";
const debugFromStorage = () => {
  try {
    return globalThis.localStorage?.getItem(DEBUG_KEY) === "1";
  } catch {
    return false;
  }
};

/**
 * One socket per tab, and the freshness rules of SPEC.md on the client:
 * subscribe to rooms, judge every envelope's `seq` (next → apply, same →
 * ignore, anything else → refetch all the room covers), resubscribe with
 * `lastSeq` after a reconnect and treat those rooms as stale, poll only while
 * the socket is down, refetch on focus after a disconnect. Events name what
 * changed; queries fetch it ("sockets notify, queries fetch").
 */
export class RealtimeClient implements RealtimeLink {
  private readonly socket: SocketLike;
  private readonly queryClient: QueryClient;
  private readonly scheduler: RefetchScheduler;
  private readonly tracker = new SeqTracker();
  /** Rooms we want, with how many views want them. */
  private readonly wanted = new Map<Room, number>();
  private state: ConnectionState = { status: "connecting", downSince: null };
  private readonly listeners = new Set<() => void>();
  private meId: string | null = null;
  private identityKnown = false;
  private started = false;
  private switching = false;
  private signingOut = false;
  private missedWhileAway = false;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private offlineTimer: ReturnType<typeof setTimeout> | null = null;
  private unsubscribeFocus: (() => void) | null = null;
  private readonly opts: Required<
    Omit<RealtimeOptions, "socket" | "queryClient" | "scheduler" | "onSessionEnded" | "initialSeq">
  > &
    Pick<RealtimeOptions, "onSessionEnded" | "initialSeq">;

  constructor(options: RealtimeOptions) {
    this.socket = options.socket;
    this.queryClient = options.queryClient;
    this.scheduler = options.scheduler ?? schedulerFor(options.queryClient);
    this.opts = {
      pollMs: options.pollMs ?? 45_000,
      offlineAfterMs: options.offlineAfterMs ?? 8_000,
      now: options.now ?? Date.now,
      path: options.path ?? (() => globalThis.location?.pathname ?? "/"),
      notify: options.notify ?? (() => {}),
      onSessionEnded: options.onSessionEnded,
      initialSeq: options.initialSeq,
      debug: options.debug ?? debugFromStorage,
      log: options.log ?? ((...args) => console.log("[zerostale]", ...args)),
    };
    this.wanted.set(rooms.feed, 1);
  }

  private readonly onEnvelope = (e: AnyEnvelope) => this.handleEnvelope(e);
  private readonly onConnected = () => this.onConnect();
  private readonly onDisconnected = (reason: string) => this.onDisconnect(reason);
  private readonly onConnectFailed = () => this.onConnectError();
  private readonly onEnded = () => this.onSessionEnded();

  /** Adds (or removes) every listener: the socket's comings and goings, and one per envelope type of the catalogue. */
  private listen(on: boolean) {
    const s = this.socket;
    if (on) {
      s.on("connect", this.onConnected);
      s.on("disconnect", this.onDisconnected);
      s.on("connect_error", this.onConnectFailed);
      s.on("session:ended", this.onEnded);
      for (const type of ENVELOPE_TYPES) s.on<EnvelopeType>(type, this.onEnvelope);
    } else {
      s.off("connect", this.onConnected);
      s.off("disconnect", this.onDisconnected);
      s.off("connect_error", this.onConnectFailed);
      s.off("session:ended", this.onEnded);
      for (const type of ENVELOPE_TYPES) s.off<EnvelopeType>(type, this.onEnvelope);
    }
  }

  // ——— lifecycle ———

  start(): () => void {
    if (this.started) return () => this.stop();
    this.started = true;
    this.listen(true);
    this.unsubscribeFocus = focusManager.subscribe((focused) => {
      if (focused) this.onFocus();
    });
    if (this.socket.connected) this.onConnect();
    else this.socket.connect();
    return () => this.stop();
  }

  stop() {
    if (!this.started) return;
    this.started = false;
    this.listen(false);
    this.unsubscribeFocus?.();
    this.clearDownTimers();
    this.socket.disconnect();
  }

  /** Who is signed in. A change after the first answer needs a new handshake (the cookie changed). */
  setUser(userId: string | null) {
    if (this.identityKnown && userId === this.meId) return;
    const wasKnown = this.identityKnown;
    const previous = this.meId;
    this.identityKnown = true;
    this.meId = userId;
    if (previous) this.release(rooms.user(previous));
    if (userId) {
      this.wanted.set(rooms.user(userId), 1);
      if (!wasKnown && this.socket.connected) this.subscribe(rooms.user(userId));
    }
    if (wasKnown && this.started) this.reconnect();
    if (userId === null) this.signingOut = false;
  }

  /** Called before a logout, so the server's session:ended is not announced as a surprise. */
  expectSignOut() {
    this.signingOut = true;
  }

  reconnect() {
    this.switching = true;
    this.socket.disconnect();
    this.socket.connect();
  }

  /** Wants a room while a view shows it; the returned function lets go. */
  watchRoom(room: Room): () => void {
    const n = this.wanted.get(room) ?? 0;
    this.wanted.set(room, n + 1);
    if (n === 0 && this.socket.connected) this.subscribe(room);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.wanted.get(room) ?? 1) - 1;
      if (left > 0) this.wanted.set(room, left);
      else this.release(room);
    };
  }

  // ——— connection state (for useSyncExternalStore) ———

  getState = (): ConnectionState => this.state;

  subscribeState = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  lastSeq(room: Room) {
    return this.tracker.get(room);
  }

  // ——— events ———

  handleEnvelope(e: AnyEnvelope) {
    if (!e || typeof e.seq !== "number" || typeof e.room !== "string" || !this.wanted.has(e.room)) return;
    const verdict = this.tracker.observe(e.room, e.seq);
    if (verdict === "duplicate") {
      this.debug(`${e.type} #${e.seq} in ${e.room}: duplicate, ignored`);
      return;
    }
    const ctx = { meId: this.meId };
    // In order (duplicates and gaps were sorted out above): a snapshot it carries is the newest known.
    if (verdict === "apply") patchFromEvent(this.queryClient, e);
    const keys = queryKeysForEvent(e, ctx);
    if (verdict === "resync") keys.push(...this.coverKeys(e.room));
    this.invalidate(
      keys,
      () => `${e.type} #${e.seq} in ${e.room}${verdict === "resync" ? " (gap: refetching the room)" : ""}`,
      e,
    );
    try {
      runEffect(e, { meId: this.meId, path: this.opts.path(), notify: this.opts.notify });
    } catch (err) {
      console.error("event effect failed", e.type, err);
    }
  }

  // ——— internals ———

  private invalidate(keys: QueryKey[], why: () => string, detail?: unknown) {
    this.scheduler.invalidate(keys);
    if (!this.opts.debug()) return;
    const shown = keys.map((k) => JSON.stringify(k)).join(" ") || "nothing";
    this.opts.log(`${why()} → ${shown}`, { invalidates: keys, ...(detail ? { event: detail } : {}) });
  }

  /** The queries showing what a room covers. */
  private coverKeys(room: Room): QueryKey[] {
    return queryKeysForResources(roomCovers(room), { meId: this.meId });
  }

  private debug(message: string) {
    if (this.opts.debug()) this.opts.log(message);
  }

  private subscribe(room: Room) {
    const lastSeq = this.tracker.unsync(room);
    // Not a rejoin: the page's own data may say how current it is.
    const readAt = lastSeq === undefined ? this.opts.initialSeq?.(room) : undefined;
    const known = lastSeq ?? readAt;
    const payload = known === undefined ? { room } : { room, lastSeq: known };
    this.socket.emit("subscribe", payload, (ack: SubscribeAck | undefined) => {
      if (!this.wanted.has(room)) return;
      if (!ack?.ok) {
        this.debug(`subscribe ${room} refused: ${ack ? ack.error.code : "no answer"}`);
        // A project that is gone answers NOT_FOUND: let its page find out.
        this.invalidate(this.coverKeys(room), () => `refused ${room}`);
        return;
      }
      this.tracker.synced(room, ack.seq);
      if (readAt !== undefined && ack.missed === false) {
        // The page's data was read after the room stood at this number, and it has not moved:
        // nothing it covers changed (events from the join on arrive as usual).
        this.debug(`subscribed ${room} at #${ack.seq} (unchanged since the page was read)`);
        return;
      }
      // Whatever was read before the join (first load, or while disconnected)
      // may have missed events: everything the room covers is stale.
      this.invalidate(
        this.coverKeys(room),
        () =>
          `subscribed ${room} at #${ack.seq}${lastSeq === undefined ? "" : ` (was #${lastSeq}${ack.missed ? ", missed some" : ""})`}`,
      );
    });
  }

  private release(room: Room) {
    this.wanted.delete(room);
    this.tracker.forget(room);
    if (this.socket.connected) this.socket.emit("unsubscribe", { room });
    // We stop hearing about it: a later visit must not trust what is cached.
    for (const queryKey of this.coverKeys(room)) {
      if (queryKey.length === 0) continue;
      void this.queryClient.invalidateQueries({ queryKey, refetchType: "none" });
    }
  }

  private onConnect() {
    this.switching = false;
    this.clearDownTimers();
    this.setState({ status: "live", downSince: null });
    for (const room of this.wanted.keys()) this.subscribe(room);
  }

  private onDisconnect(reason: string) {
    if (this.switching && reason === "io client disconnect") {
      this.setState({ status: "connecting", downSince: null });
      return;
    }
    this.goneDown();
    // The server closed us on purpose (restart, drain): socket.io does not retry by itself then.
    if (reason === "io server disconnect" && this.started) this.socket.connect();
  }

  private onConnectError() {
    if (this.state.status !== "live") this.goneDown();
  }

  private goneDown() {
    this.missedWhileAway = true;
    const downSince = this.state.downSince ?? this.opts.now();
    if (this.state.status === "live" || this.state.status === "connecting")
      this.setState({ status: "reconnecting", downSince });
    if (this.pollTimer === null)
      this.pollTimer = setInterval(
        () => this.invalidate([EVERYTHING], () => "poll while disconnected"),
        this.opts.pollMs,
      );
    if (this.offlineTimer === null)
      this.offlineTimer = setTimeout(() => {
        if (this.state.status !== "live") this.setState({ status: "offline", downSince });
      }, this.opts.offlineAfterMs);
  }

  private clearDownTimers() {
    if (this.pollTimer !== null) clearInterval(this.pollTimer);
    if (this.offlineTimer !== null) clearTimeout(this.offlineTimer);
    this.pollTimer = null;
    this.offlineTimer = null;
  }

  private onFocus() {
    if (!this.missedWhileAway) return;
    this.missedWhileAway = this.state.status !== "live";
    this.invalidate([EVERYTHING], () => "focus after a disconnect");
  }

  private onSessionEnded() {
    const expected = this.signingOut;
    this.signingOut = false;
    this.debug(`session ended (${expected ? "signed out here" : "ended elsewhere"})`);
    this.opts.onSessionEnded?.(expected);
  }

  private setState(next: ConnectionState) {
    if (next.status === this.state.status && next.downSince === this.state.downSince) return;
    this.state = next;
    for (const l of this.listeners) l();
  }
}
