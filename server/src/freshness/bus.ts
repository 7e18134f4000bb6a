import { setTimeout as sleep } from "node:timers/promises";
import type { Envelope, EventType } from "@shared/realtime/events";
import type { Room } from "@shared/realtime/rooms";
import type { Redis, Result } from "ioredis";
import type { RedisLink } from "../cache/redis-link.js";
import { nowMicros } from "../cache/store.js";
import type { Logger } from "../lib/log.js";
import type { Metrics } from "../lib/metrics.js";

/** An event addressed to one room, waiting for its sequence number. */
export interface Outgoing {
  room: Room;
  type: EventType;
  data: unknown;
  /** Commit time (ISO), carried as the envelope's `at`. */
  at: string;
  /** Events with the same key in one room may be merged (see Coalescer). */
  key?: string | undefined;
  /**
   * The outbox envelopes this one stands for (ADR 014), each `<row id>.<index
   * in the row's plan>`. An envelope all of whose marks were published already
   * (by their writer or by a relay) is not published again: completion is
   * exactly once across instances.
   */
  ids?: string[] | undefined;
}

/**
 * Hands envelopes to this instance's sockets (a batch at a time, so a socket's
 * share can go out in one write). `local`: numbered by this instance alone
 * (Redis unreachable), not part of the shared stream.
 */
export type Deliver = (batch: Envelope[], local?: boolean) => void;

/**
 * Numbers envelopes per room and delivers them to the sockets of every
 * instance. `seq` rises by exactly one per envelope within a room.
 */
export interface EventBus {
  /**
   * Numbers and publishes the batch to every instance. Resolves true once it is
   * published (or was already: see Outgoing.ids); false when it could only be
   * delivered to this instance's sockets (Redis unreachable). `durable`: never
   * fall back to local delivery, throw instead (the relay keeps the rows).
   */
  publish(batch: Outgoing[], opts?: { durable?: boolean }): Promise<boolean>;
  /**
   * The room's current number, returned only once every envelope numbered up to
   * it has been handed to this instance's sockets: a subscribe ack carrying it is
   * never followed by an envelope it already covers.
   */
  currentSeq(room: Room): Promise<number>;
  close(): Promise<void>;
}

/** How long published outbox envelopes are remembered, to publish each once. */
export const PUBLISHED_TTL_MS = 120_000;
const MAX_REMEMBERED = 20_000;

/** Remembers the outbox envelopes published by this process (the embedded mode's exactly-once). */
class Published {
  private readonly seen = new Set<string>();
  /** True when some envelope `o` stands for has not been published yet; remembers them all. */
  fresh(o: Outgoing): boolean {
    if (!o.ids?.length) return true;
    const keys = o.ids;
    const isFresh = keys.some((k) => !this.seen.has(k));
    for (const k of keys) this.seen.add(k);
    while (this.seen.size > MAX_REMEMBERED) this.seen.delete(this.seen.values().next().value as string);
    return isFresh;
  }
}

const encodeHead = (o: Outgoing) => `{"type":${JSON.stringify(o.type)},"room":${JSON.stringify(o.room)},"seq":`;
const encodeTail = (o: Outgoing) => `,"at":${JSON.stringify(o.at)},"data":${JSON.stringify(o.data)}}`;

/**
 * Per-room counters in this process: the embedded mode's sequencer, and the
 * server mode's fallback while Redis is unreachable. A counter starts at the
 * current time in microseconds, so a fresh one always jumps ahead of anything a
 * client has seen: the client detects a gap and refetches.
 */
export class LocalSequencer {
  private readonly seqs = new Map<Room, number>();
  next(room: Room): number {
    const s = (this.seqs.get(room) ?? nowMicros()) + 1;
    this.seqs.set(room, s);
    return s;
  }
  current(room: Room): number {
    let s = this.seqs.get(room);
    if (s === undefined) {
      s = nowMicros();
      this.seqs.set(room, s);
    }
    return s;
  }
  reset() {
    this.seqs.clear();
  }
}

export class MemoryBus implements EventBus {
  private readonly seq = new LocalSequencer();
  private readonly published = new Published();
  constructor(private readonly deliver: Deliver) {}
  async publish(batch: Outgoing[], _opts?: { durable?: boolean }) {
    const fresh = batch.filter((o) => this.published.fresh(o));
    if (fresh.length)
      this.deliver(
        fresh.map(
          (o) => ({ type: o.type, room: o.room, seq: this.seq.next(o.room), at: o.at, data: o.data }) as Envelope,
        ),
      );
    return true;
  }
  async currentSeq(room: Room) {
    const seq = this.seq.current(room);
    // Deliveries go out on the next turn of the event loop (in order): wait for those already queued.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return seq;
  }
  async close() {}
}

/**
 * How long a room's counter outlives its last envelope (or first read). One
 * that expires starts again at the current time in microseconds, above any
 * number it gave: a client still holding an old one sees a gap and refetches,
 * as after any fresh counter. Without a TTL the counter of every user room and
 * project room ever used stayed in Redis for good.
 */
const SEQ_TTL_SECONDS = 7 * 24 * 3600;

// Assigning the numbers and publishing happen in one script, which Redis runs
// atomically: envelopes reach every subscriber in seq order, whichever instance
// produced them. (Numbering first and publishing through the Socket.IO adapter
// afterwards would let two instances publish 6 before 5.)
// On a Redis Cluster the publish is sharded (SPUBLISH: only the shard owning the channel's
// slot, the slot of the sequence keys, carries it; ADR 017).
// KEYS: the envelopes' room counters, then their outbox marks (see Outgoing.ids).
// ARGV: channel, marker ttl (ms), then per envelope head, tail and its number
// of markers. An envelope whose markers all exist was published already (by
// its writer or by a relay) and is skipped: each change is published once.
const publishScript = (command: "PUBLISH" | "SPUBLISH") => `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = (#ARGV - 2) / 3
local out = {}
local m = n + 1
for i = 1, n do
  local marks = tonumber(ARGV[3 * i + 2])
  local fresh = marks == 0
  for j = m, m + marks - 1 do
    if redis.call('SET', KEYS[j], '1', 'NX', 'PX', ARGV[2]) then fresh = true end
  end
  m = m + marks
  if fresh then
    local s
    if redis.call('EXISTS', KEYS[i]) == 1 then
      s = redis.call('INCR', KEYS[i])
      redis.call('EXPIRE', KEYS[i], ${SEQ_TTL_SECONDS})
    else
      s = now
      redis.call('SET', KEYS[i], string.format('%.0f', s), 'EX', ${SEQ_TTL_SECONDS})
    end
    out[#out + 1] = ARGV[3 * i] .. string.format('%.0f', s) .. ARGV[3 * i + 1]
  end
end
if #out > 0 then redis.call('${command}', ARGV[1], '[' .. table.concat(out, ',') .. ']') end
return #out`;

// Reads a room's number and, in the same atomic step, publishes a barrier on the
// event channel: everything numbered up to the value read was published before
// it, so once the barrier comes back to this instance all of it has arrived.
const currentScript = (command: "PUBLISH" | "SPUBLISH") => `local v = redis.call('GET', KEYS[1])
if not v then
  local t = redis.call('TIME')
  v = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
  redis.call('SET', KEYS[1], v, 'EX', ${SEQ_TTL_SECONDS})
end
redis.call('${command}', ARGV[1], ARGV[2])
return v`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    zsPublish(numKeys: number, ...args: string[]): Result<number, Context>;
    zsCurrentSeq(key: string, channel: string, barrier: string): Result<string, Context>;
  }
}

/** How often each instance sends a heartbeat through the event channel, and how long a silent one is trusted. */
export const HEARTBEAT_MS = 500;
export const STALL_MS = 2000;
const BARRIER_WAIT_MS = 1000;

/**
 * Server mode: sequence numbers in Redis, shared by all instances; envelopes
 * published on one channel that every instance subscribes to and delivers to
 * its own sockets. While the link is down, envelopes are numbered and delivered
 * locally (clients of other instances learn about them through the resync sent
 * when the link is back) unless the caller asks for a durable publish, or the
 * subscription still hears the stream and the envelope's outbox row will be
 * published through it by a relay.
 *
 * The subscription is health-checked: every instance publishes a heartbeat
 * through the channel every HEARTBEAT_MS. A subscription that has heard nothing
 * for STALL_MS (not even its own heartbeat) is stalled, though its TCP
 * connection may look fine: it is dropped and reconnected, and the link is not
 * trusted until it is back (its recovery resyncs this instance's clients).
 */
export class RedisBus implements EventBus {
  private readonly local = new LocalSequencer();
  private readonly channel: string;
  private subscribed = false;
  private lastHeard = Date.now();
  private readonly barriers = new Map<string, () => void>();
  private barrierCount = 0;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly heartbeatMessage: string;
  private readonly sharded: boolean;
  stalls = 0;

  constructor(
    private readonly link: RedisLink,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly deliver: Deliver,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    sharded = false,
    private readonly instanceId = "",
  ) {
    this.channel = `${prefix}events`;
    this.sharded = sharded;
    this.heartbeatMessage = JSON.stringify({ heartbeat: instanceId });
    link.client.defineCommand("zsPublish", { lua: publishScript(sharded ? "SPUBLISH" : "PUBLISH") });
    link.client.defineCommand("zsCurrentSeq", {
      lua: currentScript(sharded ? "SPUBLISH" : "PUBLISH"),
      numberOfKeys: 1,
    });
    // A fresh local counter per outage: its first envelope jumps ahead (a gap).
    link.on("down", () => this.local.reset());
    link.dependOn(() => this.subscribed);
    // Subscribes again on every reconnect; until then the link is not trusted,
    // and its recovery resyncs this instance's clients (they missed envelopes).
    subscriber.on("ready", () => {
      (sharded ? subscriber.ssubscribe(this.channel) : subscriber.subscribe(this.channel))
        .then(() => {
          this.subscribed = true;
          this.lastHeard = Date.now();
          this.metrics.subscriptionHealthy.set(1);
          link.recheck();
        })
        .catch((err) => this.log.warn({ err }, "could not subscribe to the event channel"));
    });
    subscriber.on("close", () => {
      if (!this.subscribed) return;
      this.subscribed = false;
      this.metrics.subscriptionHealthy.set(0);
      link.markDown("event subscription lost");
    });
    subscriber.on(sharded ? "smessage" : "message", (channel: string, message: string) => {
      if (channel !== this.channel) return;
      this.lastHeard = Date.now();
      if (message.charCodeAt(0) !== 91 /* [ */) return this.control(message);
      let batch: Envelope[];
      try {
        batch = JSON.parse(message);
      } catch (err) {
        this.log.error({ err }, "unreadable envelope batch on the event channel");
        return;
      }
      this.deliver(batch);
    });
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** True while the subscription is up and has heard from the channel lately. */
  get healthy(): boolean {
    return this.subscribed && Date.now() - this.lastHeard < STALL_MS;
  }

  private beat() {
    if (this.subscribed && Date.now() - this.lastHeard >= STALL_MS) {
      this.stalls++;
      this.metrics.subscriptionStalls.inc();
      this.log.warn({ silentMs: Date.now() - this.lastHeard }, "event subscription stalled: reconnecting");
      this.subscribed = false;
      this.metrics.subscriptionHealthy.set(0);
      this.link.markDown("event subscription stalled");
      this.subscriber.disconnect(true);
      return;
    }
    if (this.link.client.status === "ready")
      (this.sharded
        ? this.link.client.spublish(this.channel, this.heartbeatMessage)
        : this.link.client.publish(this.channel, this.heartbeatMessage)
      ).catch(() => {});
  }

  private control(message: string) {
    let msg: { barrier?: string };
    try {
      msg = JSON.parse(message);
    } catch {
      return;
    }
    const done = msg.barrier ? this.barriers.get(msg.barrier) : undefined;
    if (!done) return;
    this.barriers.delete(msg.barrier!);
    // Envelopes that arrived before the barrier are handed to the sockets on the next turn: after them.
    setImmediate(done);
  }

  /** Waits (briefly) for the first subscription, so a fresh instance misses nothing. */
  async start(timeoutMs = 3000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.subscribed && Date.now() < deadline) await sleep(10);
  }

  async publish(batch: Outgoing[], opts: { durable?: boolean } = {}) {
    if (!batch.length) return true;
    if (this.link.up || opts.durable) {
      const keys = batch.map((o) => `${this.prefix}s:${o.room}`);
      const marks = batch.flatMap((o) => (o.ids ?? []).map((m) => `${this.prefix}o:${m}`));
      const args = batch.flatMap((o) => [encodeHead(o), encodeTail(o), String(o.ids?.length ?? 0)]);
      try {
        await this.link.client.zsPublish(
          keys.length + marks.length,
          ...keys,
          ...marks,
          this.channel,
          String(PUBLISHED_TTL_MS),
          ...args,
        );
        return true;
      } catch (err) {
        if (opts.durable) throw err;
        this.log.warn({ err }, "event bus publish failed; delivering locally");
        this.link.markDown("publish failed");
      }
    }
    // While the subscription is healthy the stream still reaches this instance's sockets, and an
    // envelope of an outbox row gets there once a relay (or this instance's recovery) publishes the
    // row. Delivering it locally too showed this instance's clients the event twice, under a second
    // numbering interleaved with the stream's: a refetch at every switch, for as long as the link
    // was not trusted (bench crash scenario, a stalled command link).
    const local = this.healthy ? batch.filter((o) => !o.ids?.length) : batch;
    if (!local.length) return false;
    this.metrics.eventsFallback.inc(local.length);
    this.deliver(
      local.map(
        (o) => ({ type: o.type, room: o.room, seq: this.local.next(o.room), at: o.at, data: o.data }) as Envelope,
      ),
      true,
    );
    return false;
  }

  async currentSeq(room: Room) {
    if (this.link.up) {
      const token = `${this.instanceId}:${++this.barrierCount}`;
      const arrived = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          this.barriers.delete(token);
          resolve(false);
        }, BARRIER_WAIT_MS);
        this.barriers.set(token, () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      try {
        const seq = Number(
          await this.link.client.zsCurrentSeq(
            `${this.prefix}s:${room}`,
            this.channel,
            JSON.stringify({ barrier: token }),
          ),
        );
        if (!(await arrived)) this.log.warn({ room }, "subscribe barrier did not come back in time");
        return seq;
      } catch (err) {
        this.barriers.delete(token);
        this.link.markDown("seq read failed");
        this.log.warn({ err }, "could not read a room's sequence number");
      }
    }
    return this.local.current(room);
  }

  async close() {
    clearInterval(this.heartbeat);
    this.subscriber.disconnect();
  }
}
