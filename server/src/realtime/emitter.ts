import { throttleOf } from "@shared/realtime/events";
import type { EventBus, Outgoing } from "../freshness/bus.js";
import { Coalescer } from "../freshness/coalescer.js";
import type { Logger } from "../lib/log.js";
import type { Metrics } from "../lib/metrics.js";

/**
 * The way out of this instance for the pipeline's envelopes: coalesced per
 * room (ADR 009), then numbered and published by the bus. Events that only
 * echo others (`leaderboard:updated`) get a longer window of their own.
 */
export class Emitter {
  private readonly coalescer: Coalescer;
  private readonly throttled = new Map<number, Coalescer>();

  constructor(
    private readonly bus: EventBus,
    windowMs: number,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    this.coalescer = new Coalescer(windowMs, this.send, metrics);
  }

  private readonly send = (batch: Outgoing[]) =>
    this.bus.publish(batch).catch((err) => {
      this.log.error({ err }, "could not deliver events");
      return false;
    });

  /**
   * Resolves true once the batch is published to every instance (false:
   * delivered to this instance only, Redis unreachable).
   */
  emit = async (batch: Outgoing[]): Promise<boolean> => {
    const now: Outgoing[] = [];
    const sent: Promise<boolean>[] = [];
    for (const o of batch) {
      const ms = throttleOf(o.type);
      if (ms === undefined) now.push(o);
      else {
        const c = this.throttled.get(ms) ?? new Coalescer(ms, this.send, this.metrics);
        this.throttled.set(ms, c);
        sent.push(c.push([o]));
      }
    }
    if (now.length) sent.push(this.coalescer.push(now));
    return (await Promise.all(sent)).every(Boolean);
  };

  /** Sends what is waiting for a window to end (at shutdown). */
  drain() {
    this.coalescer.drain();
    for (const c of this.throttled.values()) c.drain();
  }
}
