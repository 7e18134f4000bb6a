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
}

/** Hands envelopes to this instance's sockets (a batch at a time, so a socket's share can go out in one write). */
export type Deliver = (batch: Envelope[]) => void;

/**
 * Numbers envelopes per room and delivers them to the sockets of every
 * instance. `seq` rises by exactly one per envelope within a room.
 */
export interface EventBus {
  publish(batch: Outgoing[]): Promise<void>;
  currentSeq(room: Room): Promise<number>;
  close(): Promise<void>;
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
  constructor(private readonly deliver: Deliver) {}
  async publish(batch: Outgoing[]) {
    this.deliver(
      batch.map(
        (o) => ({ type: o.type, room: o.room, seq: this.seq.next(o.room), at: o.at, data: o.data }) as Envelope,
      ),
    );
  }
  async currentSeq(room: Room) {
    return this.seq.current(room);
  }
  async close() {}
}

// Assigning the numbers and publishing happen in one script, which Redis runs
// atomically: envelopes reach every subscriber in seq order, whichever instance
// produced them. (Numbering first and publishing through the Socket.IO adapter
// afterwards would let two instances publish 6 before 5.)
// On a Redis Cluster the publish is sharded (SPUBLISH: only the shard owning the channel's
// slot, the slot of the sequence keys, carries it; ADR 017).
const publishScript = (command: "PUBLISH" | "SPUBLISH") => `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local out = {}
for i = 1, #KEYS do
  local s
  if redis.call('EXISTS', KEYS[i]) == 1 then
    s = redis.call('INCR', KEYS[i])
  else
    s = now
    redis.call('SET', KEYS[i], string.format('%.0f', s))
  end
  out[i] = ARGV[2 * i] .. string.format('%.0f', s) .. ARGV[2 * i + 1]
end
redis.call('${command}', ARGV[1], '[' .. table.concat(out, ',') .. ']')
return #KEYS`;

const CURRENT = `local v = redis.call('GET', KEYS[1])
if v then return v end
local t = redis.call('TIME')
v = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
redis.call('SET', KEYS[1], v)
return v`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    zsPublish(numKeys: number, ...args: string[]): Result<number, Context>;
    zsCurrentSeq(key: string): Result<string, Context>;
  }
}

/**
 * Server mode: sequence numbers in Redis, shared by all instances; envelopes
 * published on one channel that every instance subscribes to and delivers to
 * its own sockets. While the link is down, envelopes are numbered and delivered
 * locally (clients of other instances learn about them through the resync sent
 * when the link is back).
 */
export class RedisBus implements EventBus {
  private readonly local = new LocalSequencer();
  private readonly channel: string;
  private subscribed = false;

  constructor(
    private readonly link: RedisLink,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly deliver: Deliver,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    sharded = false,
  ) {
    this.channel = `${prefix}events`;
    link.client.defineCommand("zsPublish", { lua: publishScript(sharded ? "SPUBLISH" : "PUBLISH") });
    link.client.defineCommand("zsCurrentSeq", { lua: CURRENT, numberOfKeys: 1 });
    // A fresh local counter per outage: its first envelope jumps ahead (a gap).
    link.on("down", () => this.local.reset());
    link.dependOn(() => this.subscribed);
    // Subscribes again on every reconnect; until then the link is not trusted,
    // and its recovery resyncs this instance's clients (they missed envelopes).
    subscriber.on("ready", () => {
      (sharded ? subscriber.ssubscribe(this.channel) : subscriber.subscribe(this.channel))
        .then(() => {
          this.subscribed = true;
          link.recheck();
        })
        .catch((err) => this.log.warn({ err }, "could not subscribe to the event channel"));
    });
    subscriber.on("close", () => {
      if (!this.subscribed) return;
      this.subscribed = false;
      link.markDown("event subscription lost");
    });
    subscriber.on(sharded ? "smessage" : "message", (channel: string, message: string) => {
      if (channel !== this.channel) return;
      let batch: Envelope[];
      try {
        batch = JSON.parse(message);
      } catch (err) {
        this.log.error({ err }, "unreadable envelope batch on the event channel");
        return;
      }
      this.deliver(batch);
    });
  }

  /** Waits (briefly) for the first subscription, so a fresh instance misses nothing. */
  async start(timeoutMs = 3000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.subscribed && Date.now() < deadline) await sleep(10);
  }

  async publish(batch: Outgoing[]) {
    if (!batch.length) return;
    if (this.link.up) {
      const keys = batch.map((o) => `${this.prefix}s:${o.room}`);
      const args = batch.flatMap((o) => [encodeHead(o), encodeTail(o)]);
      try {
        await this.link.client.zsPublish(keys.length, ...keys, this.channel, ...args);
        return;
      } catch (err) {
        this.log.warn({ err }, "event bus publish failed; delivering locally");
        this.link.markDown("publish failed");
      }
    }
    this.metrics.eventsFallback.inc(batch.length);
    this.deliver(
      batch.map(
        (o) => ({ type: o.type, room: o.room, seq: this.local.next(o.room), at: o.at, data: o.data }) as Envelope,
      ),
    );
  }

  async currentSeq(room: Room) {
    if (this.link.up) {
      try {
        return Number(await this.link.client.zsCurrentSeq(`${this.prefix}s:${room}`));
      } catch (err) {
        this.link.markDown("seq read failed");
        this.log.warn({ err }, "could not read a room's sequence number");
      }
    }
    return this.local.current(room);
  }

  async close() {
    this.subscriber.disconnect();
  }
}
