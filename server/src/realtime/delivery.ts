import type { Envelope, EnvelopeType } from "@shared/realtime/events";
import type { Logger } from "../lib/log.js";
import type { Metrics } from "../lib/metrics.js";
import type { RealtimeServer, RealtimeSocket as Socket } from "./socket-server.js";

/** How much output one socket may have waiting in this process before it stops getting a backlog. */
export interface SocketLimits {
  /** Bytes written to the WebSocket that the kernel has not taken yet. */
  maxBufferedBytes: number;
  /** Packets waiting in engine.io's write buffer (its transport is still busy with the previous write). */
  maxQueuedPackets: number;
  /** A socket over the limit for this long is disconnected (its kernel buffers are freed too). */
  stallMs: number;
}

// The engine.io / ws internals read here (engine.io 6, ws 8). They are not public
// API, so every access tolerates their absence: a transport without them is
// judged by engine.io's write buffer alone.
interface Corkable {
  cork(): void;
  uncork(): void;
}
interface RawWebSocket {
  bufferedAmount?: number;
  terminate?: () => void;
  _socket?: Corkable;
}
interface RawTransport {
  name?: string;
  send?: (packets: unknown[]) => void;
  writable?: boolean;
  socket?: RawWebSocket;
  _onSent?: (err?: Error | null) => void;
  _onSentLast?: (err?: Error | null) => void;
  onError?: (msg: string, desc?: string) => void;
  __zsCheapErrors?: boolean;
}
interface RawConn {
  writeBuffer: unknown[];
  transport: RawTransport;
  on(event: "upgrade", fn: () => void): void;
}

const rawConn = (socket: Socket) => socket.conn as unknown as RawConn;
const webSocketOf = (socket: Socket): RawWebSocket | undefined => rawConn(socket).transport?.socket;

/**
 * Two changes to engine.io's WebSocket transport (engine.io 6; skipped if its
 * internals differ):
 *
 * - It reports a failed write with `onError("write error", err.stack)`, once per
 *   packet still waiting when the connection dies. Formatting a stack costs
 *   ~0.1 ms, more with source maps on (tsx): a socket that died with thousands of
 *   packets queued froze the process for minutes. The first failure closes the
 *   transport; the rest say nothing new, so only the first is reported, without
 *   its stack.
 * - What piled up while its previous write was in flight goes out as one batch,
 *   but ws writes each packet's frame on its own (a system call each); corking
 *   the TCP socket around the batch makes it one.
 */
export function tuneTransport(socket: Socket) {
  const patch = () => {
    const t = rawConn(socket).transport;
    if (!t || t.__zsCheapErrors || typeof t._onSent !== "function" || typeof t._onSentLast !== "function") return;
    const send = t.send;
    if (typeof send === "function")
      t.send = (packets: unknown[]) => {
        const raw = t.socket?._socket;
        raw?.cork();
        try {
          send.call(t, packets);
        } finally {
          raw?.uncork();
        }
      };
    const onSentLast = t._onSentLast;
    let failed = false;
    const onSent = (err?: Error | null) => {
      if (!err || failed) return;
      failed = true;
      t.onError?.("write error", err.message);
    };
    t._onSent = onSent;
    t._onSentLast = (err?: Error | null) => (err ? onSent(err) : onSentLast(err));
    t.__zsCheapErrors = true;
  };
  patch();
  rawConn(socket).on("upgrade", patch);
}

/** What goes to clients as an envelope (session events do not: see Sessions). */
type Out = Envelope<EnvelopeType>;

/** A socket or a room, as envelopes are sent to it: under the Socket.IO event name equal to their type (SPEC). */
interface EnvelopeTarget {
  emit(event: EnvelopeType, envelope: Out): unknown;
}
const emitEnvelope = (to: EnvelopeTarget, e: Out) => to.emit(e.type, e);

/**
 * Hands envelopes to this instance's sockets, by backpressure rather than by
 * clock (ADR 017):
 *
 * - Envelopes go out on the next turn of the event loop, all that arrived by
 *   then in one pass with the TCP sockets corked. A socket whose transport is
 *   idle gets them at once: no added delay.
 * - A socket whose transport is still busy with its previous write collects
 *   what arrives in engine.io's write buffer, which goes out as one corked
 *   batch (one system call) when the previous write completes.
 * - A socket past its limit (a slow or paused reader) gets no backlog: per room
 *   only the latest envelope is kept, and it is sent when the socket has caught
 *   up. Its seq jumps, so the client refetches that room (SPEC: a gap means
 *   refetch). Memory per socket is bounded by the limit plus one envelope per room.
 * - A socket still past its limit after `stallMs` is terminated, with its
 *   buffers dropped first, so closing it costs nothing per queued packet.
 */
export class Delivery {
  private queued: Out[] = [];
  /** Sockets over their limit: the latest envelope per room they are owed, and since when. */
  private readonly owed = new Map<string, { since: number; rooms: Map<string, Out> }>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly io: RealtimeServer,
    private readonly limits: SocketLimits,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  deliver = (batch: Out[]) => {
    if (!batch.length) return;
    if (!this.queued.length) setImmediate(this.flush);
    this.queued.push(...batch);
  };

  /** Sends what is waiting now (at shutdown). */
  drain() {
    if (this.queued.length) this.flush();
  }

  close() {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    this.owed.clear();
  }

  /** Whether a socket's output waiting in this process is past the limit. */
  private over(socket: Socket): boolean {
    const conn = rawConn(socket);
    if ((conn.writeBuffer?.length ?? 0) > this.limits.maxQueuedPackets) return true;
    const buffered = webSocketOf(socket)?.bufferedAmount;
    return typeof buffered === "number" && buffered > this.limits.maxBufferedBytes;
  }

  private readonly flush = () => {
    const batch = this.queued;
    this.queued = [];
    if (!batch.length) return;
    const nsp = this.io.of("/");
    const corked: Corkable[] = [];
    const seen = new Set<string>();
    const skipped: string[] = [];
    for (const room of new Set(batch.map((e) => e.room))) {
      for (const id of nsp.adapter.rooms.get(room) ?? []) {
        if (seen.has(id)) continue;
        seen.add(id);
        const socket = nsp.sockets.get(id);
        if (!socket) continue;
        if (this.owed.has(id) || this.over(socket)) {
          skipped.push(id);
          continue;
        }
        // engine.io's WebSocket transport → ws → net.Socket (absent for long-polling clients).
        const raw = webSocketOf(socket)?._socket;
        if (raw) {
          raw.cork();
          corked.push(raw);
        }
      }
    }
    const now = Date.now();
    for (const id of skipped) {
      const o = this.owed.get(id) ?? { since: now, rooms: new Map<string, Out>() };
      if (!this.owed.has(id)) {
        this.owed.set(id, o);
        this.log.warn({ socket: id }, "slow consumer: sending it the latest envelope per room instead of a backlog");
      }
      const rooms = nsp.sockets.get(id)?.rooms;
      for (const e of batch) {
        if (!rooms?.has(e.room)) continue;
        o.rooms.set(e.room, e);
        this.metrics.eventsWithheld.inc();
      }
    }
    if (skipped.length) this.armSweeper();
    for (const e of batch) {
      const to = this.io.local.to(e.room);
      emitEnvelope(skipped.length ? to.except(skipped) : to, e);
      this.metrics.eventsEmitted.inc({ type: e.type });
      this.metrics.commitToEmit.observe(Math.max(0, now - Date.parse(e.at)) / 1000);
    }
    for (const c of corked) c.uncork();
  };

  private armSweeper() {
    if (this.sweeper) return;
    this.sweeper = setInterval(this.sweep, Math.min(250, Math.max(10, this.limits.stallMs / 4)));
    this.sweeper.unref();
  }

  /** Sends owed envelopes to sockets that caught up; terminates those stalled too long. */
  private readonly sweep = () => {
    const nsp = this.io.of("/");
    const now = Date.now();
    for (const [id, o] of this.owed) {
      const socket = nsp.sockets.get(id);
      if (!socket?.connected) {
        this.owed.delete(id);
        continue;
      }
      if (!this.over(socket) && (rawConn(socket).writeBuffer?.length ?? 0) === 0) {
        this.owed.delete(id);
        const raw = webSocketOf(socket)?._socket;
        raw?.cork();
        for (const e of o.rooms.values()) if (socket.rooms.has(e.room)) emitEnvelope(socket, e);
        raw?.uncork();
      } else if (now - o.since > this.limits.stallMs) {
        this.owed.delete(id);
        this.terminate(socket);
      }
    }
    if (!this.owed.size && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  };

  /** Closes a socket at once, dropping what it has queued (a graceful close would wait for it to drain). */
  private terminate(socket: Socket) {
    this.metrics.socketsDropped.inc();
    this.log.warn({ socket: socket.id }, "slow consumer: disconnected, output stalled past the limit");
    const conn = rawConn(socket);
    if (Array.isArray(conn.writeBuffer)) conn.writeBuffer.length = 0;
    const ws = webSocketOf(socket);
    if (typeof ws?.terminate === "function") ws.terminate();
    else socket.disconnect(true);
  }
}
