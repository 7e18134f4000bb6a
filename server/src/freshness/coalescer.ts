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
 */
export class Coalescer {
  private readonly windows = new Map<Room, { pending: Map<string, Outgoing>; timer: NodeJS.Timeout }>();
  private unique = 0;

  constructor(
    private readonly windowMs: number,
    private readonly send: (batch: Outgoing[]) => void,
    private readonly metrics: Metrics,
  ) {}

  push(batch: Outgoing[]) {
    if (this.windowMs <= 0) {
      this.send(batch);
      return;
    }
    const now: Outgoing[] = [];
    const opened = new Set<Room>();
    for (const o of batch) {
      const w = this.windows.get(o.room);
      if (w && !opened.has(o.room)) {
        this.add(w.pending, o);
      } else {
        now.push(o);
        if (!w) {
          opened.add(o.room);
          this.windows.set(o.room, { pending: new Map(), timer: this.arm(o.room) });
        }
      }
    }
    if (now.length) this.send(merge(now, this.metrics));
  }

  private add(pending: Map<string, Outgoing>, o: Outgoing) {
    const key = o.key ?? `#${this.unique++}`;
    const previous = pending.get(key);
    if (previous) {
      this.metrics.eventsCoalesced.inc({ type: previous.type });
      pending.delete(key); // re-insert: the merged event takes the latest position
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
    w.pending = new Map();
    w.timer = this.arm(room);
    this.send(batch);
  }

  /** Sends everything still waiting (at shutdown). */
  drain() {
    const batch: Outgoing[] = [];
    for (const [, w] of this.windows) {
      clearTimeout(w.timer);
      batch.push(...w.pending.values());
    }
    this.windows.clear();
    if (batch.length) this.send(batch);
  }
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
      out[out.indexOf(prev)] = o;
    } else out.push(o);
    byKey.set(k, o);
  }
  return out;
}
