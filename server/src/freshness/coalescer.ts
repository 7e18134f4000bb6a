import type { Room } from "@shared/realtime/rooms";
import type { Metrics } from "../lib/metrics.js";
import type { Outgoing } from "./bus.js";

/**
 * Leading-edge coalescing per room. The first batch for a quiet room goes out
 * at once and opens a window of `windowMs`; what arrives for that room during
 * the window waits for its end, and events with the same key (e.g. 100 votes on
 * one project) are merged into the latest one, whose payload is a snapshot
 * (counts), not a delta. A burst reaches clients as at most one envelope per key
 * per window, and a lone change is not delayed at all. See ADR 009.
 *
 * `push` resolves once every event it was given has been sent (merged events
 * carry the outbox rows of the events they replaced), with false if any send
 * could only deliver locally: the writer then leaves its rows to the relay.
 */
export class Coalescer {
  private readonly windows = new Map<Room, Window>();
  private unique = 0;

  constructor(
    private readonly windowMs: number,
    private readonly send: (batch: Outgoing[]) => Promise<boolean>,
    private readonly metrics: Metrics,
  ) {}

  async push(batch: Outgoing[]): Promise<boolean> {
    if (this.windowMs <= 0) return this.send(batch);
    const now: Outgoing[] = [];
    const opened = new Set<Room>();
    const waits = new Set<Promise<boolean>>();
    for (const o of batch) {
      const w = this.windows.get(o.room);
      if (w && !opened.has(o.room)) {
        this.add(w.pending, o);
        waits.add(w.sent.promise);
      } else {
        now.push(o);
        if (!w) {
          opened.add(o.room);
          this.windows.set(o.room, { pending: new Map(), timer: this.arm(o.room), sent: deferred() });
        }
      }
    }
    if (now.length) waits.add(this.send(merge(now, this.metrics)));
    return (await Promise.all(waits)).every(Boolean);
  }

  private add(pending: Map<string, Outgoing>, o: Outgoing) {
    const key = o.key ?? `#${this.unique++}`;
    const previous = pending.get(key);
    if (previous) {
      this.metrics.eventsCoalesced.inc({ type: previous.type });
      pending.delete(key); // re-insert: the merged event takes the latest position
      o = withIds(o, previous);
    }
    pending.set(key, o);
  }

  private arm(room: Room) {
    const t = setTimeout(() => this.flush(room), this.windowMs);
    t.unref();
    return t;
  }

  private flush(room: Room) {
    const w = this.windows.get(room);
    if (!w) return;
    if (!w.pending.size) {
      this.windows.delete(room);
      return;
    }
    const batch = [...w.pending.values()];
    const sent = w.sent;
    w.pending = new Map();
    w.timer = this.arm(room);
    w.sent = deferred();
    this.send(batch).then(sent.resolve, () => sent.resolve(false));
  }

  /** Sends everything still waiting (at shutdown). */
  drain() {
    const batch: Outgoing[] = [];
    const waiting: Deferred[] = [];
    for (const [, w] of this.windows) {
      clearTimeout(w.timer);
      batch.push(...w.pending.values());
      waiting.push(w.sent);
    }
    this.windows.clear();
    const sent = batch.length ? this.send(batch).catch(() => false) : Promise.resolve(true);
    for (const d of waiting) void sent.then(d.resolve);
  }
}

interface Deferred {
  promise: Promise<boolean>;
  resolve: (ok: boolean) => void;
}
interface Window {
  pending: Map<string, Outgoing>;
  timer: NodeJS.Timeout;
  /** Resolves when what is pending now has been sent. */
  sent: Deferred;
}

function deferred(): Deferred {
  let resolve!: (ok: boolean) => void;
  const promise = new Promise<boolean>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** `o`, also standing for the outbox rows of the event it replaces. */
function withIds(o: Outgoing, replaced: Outgoing): Outgoing {
  if (!replaced.ids?.length) return o;
  return { ...o, ids: [...new Set([...(replaced.ids ?? []), ...(o.ids ?? [])])] };
}

/** Merges same-key events within one batch (one mutation rarely has any). */
function merge(batch: Outgoing[], metrics: Metrics): Outgoing[] {
  if (batch.length < 2) return batch;
  const byKey = new Map<string, Outgoing>();
  const out: Outgoing[] = [];
  for (const o of batch) {
    if (!o.key) {
      out.push(o);
      continue;
    }
    const k = `${o.room}|${o.key}`;
    const prev = byKey.get(k);
    if (prev) {
      metrics.eventsCoalesced.inc({ type: prev.type });
      const next = withIds(o, prev);
      out[out.indexOf(prev)] = next;
      byKey.set(k, next);
    } else {
      out.push(o);
      byKey.set(k, o);
    }
  }
  return out;
}
