import {
  type AnyEnvelope,
  coalesceKeyOf,
  type Envelope,
  type EnvelopeType,
  resyncEvent,
  type SessionEventType,
} from "@shared/realtime/events";
import { parseRoom, type Room } from "@shared/realtime/rooms";
import type { Outgoing } from "../freshness/bus.js";
import type { Logger } from "../lib/log.js";
import type { Metrics } from "../lib/metrics.js";
import type { Delivery } from "./delivery.js";
import type { Sessions } from "./sessions.js";
import type { RealtimeServer } from "./socket-server.js";

export interface StreamOptions {
  io: RealtimeServer;
  delivery: Delivery;
  sessions: Sessions;
  /** The bus's current number of a room (EventBus.currentSeq). */
  currentSeq(room: Room): Promise<number>;
  /** Coalesces, numbers and publishes to every instance (Emitter.emit). */
  emit(batch: Outgoing[]): Promise<boolean>;
  metrics: Metrics;
  log: Logger;
}

/** In `delivered`: this instance numbered envelopes of the room itself (Redis was unreachable). */
const LOCALLY_NUMBERED = Number.NaN;

/**
 * What this instance delivered of each room's numbered stream, and its resyncs.
 *
 * The bus hands every envelope to `deliver`. Envelopes of the shared stream
 * go to the sockets unless this instance's resync of the room already went
 * out with that number or a later one (it would repeat a seq). Envelopes of a
 * session room end that session's sockets here (Sessions) instead.
 *
 * `resyncLocal` tells this instance's clients (only them) to refetch the rooms
 * whose stream moved past what this instance delivered (its subscription was
 * down). Resyncs run one at a time and go out through the same delivery queue
 * as the envelopes (ADR 014).
 */
export class RoomStream {
  /**
   * The last number of the shared stream this instance delivered per room
   * (absent: unknown; LOCALLY_NUMBERED: it delivered locally numbered envelopes meanwhile).
   */
  private readonly delivered = new Map<Room, number>();
  private resyncing: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: StreamOptions) {}

  /** The bus's Deliver: `local` when the batch was numbered by this instance alone (Redis unreachable). */
  deliver = (batch: Envelope[], local = false) => {
    const out: Envelope<EnvelopeType>[] = [];
    const ended: Envelope<"session:ended">[] = [];
    for (const e of batch as (AnyEnvelope | Envelope<SessionEventType>)[]) {
      // A session's end is not a room's stream: no client holds its numbers.
      if (e.type === "session:ended") {
        ended.push(e);
        continue;
      }
      if (local) {
        this.delivered.set(e.room, LOCALLY_NUMBERED);
        out.push(e);
        continue;
      }
      // Already covered: this instance's resync of the room went out with this number
      // (resyncRooms); sending the envelope too would repeat the seq.
      const last = this.delivered.get(e.room) ?? 0;
      if (e.seq <= last) continue;
      this.delivered.set(e.room, e.seq);
      out.push(e);
    }
    this.opts.delivery.deliver(out);
    // At once: a signed-out socket gets nothing of its private rooms from here on.
    for (const e of ended) this.opts.sessions.end(e);
  };

  /**
   * The seq a subscribe ack carries, sent right after this returns. Envelopes
   * numbered after the bus's read can reach this instance between the
   * barrier's return and the ack (they are on another connection than the
   * read's reply); the joined socket then already has them. So the queue goes
   * out first, and the ack names the highest number this instance handed to
   * the room's sockets if that is above the bus's: the ack then agrees with
   * what the socket holds, and what follows is its next number (SPEC: no
   * duplicate or backward step after an ack).
   */
  ackSeq(room: Room, seq: number): number {
    this.opts.delivery.drain();
    const last = this.delivered.get(room);
    return last !== undefined && Number.isFinite(last) && last > seq ? last : seq;
  }

  /** Rooms (of the protocol) that have sockets on this instance. */
  localRooms(): Room[] {
    return [...this.opts.io.of("/").adapter.rooms.keys()].filter((r): r is Room => parseRoom(r) !== null);
  }

  /**
   * Resyncs the rooms this instance fell behind on; returns how many. One at a
   * time: two overlapping runs (two recoveries in a row) would both read a
   * room's seq before either recorded it, and send the same resync twice (a
   * repeated seq).
   */
  resyncLocal(reason: string): Promise<number> {
    const run = this.resyncing.then(() => this.resyncRooms(reason));
    this.resyncing = run.catch(() => {});
    return run;
  }

  private async resyncRooms(reason: string) {
    const { delivery, currentSeq, emit, metrics, log } = this.opts;
    const e = resyncEvent();
    const at = new Date().toISOString();
    let sent = 0;
    const unknown: Room[] = [];
    for (const room of this.localRooms()) {
      const seq = await currentSeq(room);
      const last = this.delivered.get(room) ?? 0;
      if (last >= seq) continue;
      sent++;
      if (Number.isNaN(last)) {
        // This instance numbered envelopes itself meanwhile: its clients may hold any number
        // up to `seq`, so the resync takes a number of its own from the bus (the room's
        // clients on other instances refetch too).
        unknown.push(room);
        continue;
      }
      // Only this instance fell behind: its clients get the resync at the stream's current
      // number; the envelopes up to it that still arrive are dropped by deliver().
      this.delivered.set(room, seq);
      delivery.deliver([{ type: e.type, room, seq, at, data: e.data } as Envelope<"cache:invalidate">]);
    }
    if (unknown.length)
      await emit(unknown.map((room) => ({ room, type: e.type, data: e.data, at, key: coalesceKeyOf(e) })));
    metrics.resyncs.inc({ reason }, sent);
    log.info({ reason, rooms: sent }, "resynced this instance's clients");
    return sent;
  }
}
