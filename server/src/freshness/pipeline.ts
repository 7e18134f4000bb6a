import { EventEmitter } from "node:events";
import {
  affectsOf,
  events as catalogue,
  coalesceKeyOf,
  type DomainEvent,
  type EventData,
  type EventType,
  event as makeEvent,
  type RoomContext,
  roomsOf,
} from "@shared/realtime/events";
import type { Resource } from "@shared/realtime/resources";
import type { Cache } from "../cache/cache.js";
import type { Database, Tx } from "../db/database.js";
import type { Logger } from "../lib/log.js";
import type { Metrics } from "../lib/metrics.js";
import type { Outgoing } from "./bus.js";

/** What a transaction tells the pipeline about its effects. */
export interface Effects {
  emit<T extends EventType>(type: T, data: EventData<T>): void;
  /** A resource changed without an event of its own (e.g. a revoked session). */
  touch(...resources: Resource[]): void;
}

export interface Committed {
  events: DomainEvent[];
  resources: Resource[];
  outgoing: Outgoing[];
}

// Marks the transaction as the API's own: the change-notification triggers skip
// it, because the pipeline below delivers precise events for it (ADR 008).
const MARK_APP_ORIGIN = "SELECT set_config('zerostale.origin', 'app', true)";
const MAX_ATTEMPTS = 3;
// Under a burst, writers queue for a connection rather than fail fast.
const TX_OPTIONS = { maxWait: 5_000, timeout: 10_000 } as const;

/**
 * The one after-commit pipeline every mutation goes through:
 *   1. the transaction commits (nothing below runs for a rollback);
 *   2. every cache entry the change affects is invalidated;
 *   3. the events are handed to the emitter for their rooms.
 * Invalidation comes before emission, or a client refetching on the event could
 * be served the old value. Events come from the shared catalogue, whose schemas
 * strip anything a payload should not carry.
 *
 * Emits "committed" with what it did, for tests and diagnostics.
 */
export class Freshness extends EventEmitter<{ committed: [Committed] }> {
  constructor(
    private readonly db: Database,
    private readonly cache: Cache,
    private readonly emitBatch: (batch: Outgoing[]) => void,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    super();
  }

  /** Runs `work` in a transaction, then invalidates and emits what it declared. */
  mutate<T>(ctx: RoomContext, work: (tx: Tx, fx: Effects) => Promise<T>): Promise<T> {
    return this.mutateInStatement(ctx, (db, fx) =>
      db.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(MARK_APP_ORIGIN);
        return work(tx, fx);
      }, TX_OPTIONS),
    );
  }

  /**
   * For a mutation that is a single statement (a database function that marks
   * its transaction as the app's own, see the vote_functions migration): no
   * interactive transaction, so no row lock is held across network round trips.
   * The statement has committed when `work` returns. Transient failures
   * (serialization, deadlock) are retried with fresh effects.
   */
  async mutateInStatement<T>(ctx: RoomContext, work: (db: Database["prisma"], fx: Effects) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const { fx, evts, touched } = collector();
      let result: T;
      try {
        result = await work(this.db.prisma, fx);
      } catch (err) {
        if (attempt < MAX_ATTEMPTS && isTransient(err)) {
          this.log.debug({ err, attempt }, "transient database failure; retrying");
          continue;
        }
        throw err;
      }
      await this.afterCommit(evts, ctx, touched);
      return result;
    }
  }

  /** Invalidates, then emits. Also the path of changes made outside the API. */
  async afterCommit(evts: DomainEvent[], ctx: RoomContext, touched: Resource[] = []): Promise<void> {
    if (!evts.length && !touched.length) return;
    this.metrics.mutations.inc();
    const at = new Date().toISOString();
    const all = withDerivedEvents(evts.map(checked));
    const resources = new Set<Resource>(touched);
    for (const e of all) for (const r of affectsOf(e)) resources.add(r);
    await this.cache.invalidate(resources);
    const outgoing: Outgoing[] = all.flatMap((e) =>
      roomsOf(e, ctx).map((room) => ({ room, type: e.type, data: e.data, at, key: coalesceKeyOf(e) })),
    );
    this.emitBatch(outgoing);
    this.emit("committed", { events: all, resources: [...resources], outgoing });
  }
}

/** An Effects that records what a mutation declares. */
function collector() {
  const evts: DomainEvent[] = [];
  const touched: Resource[] = [];
  const fx: Effects = {
    emit: (type, data) => void evts.push(makeEvent(type, data)),
    touch: (...r) => void touched.push(...r),
  };
  return { fx, evts, touched };
}

/** Validates a payload against the catalogue and strips fields it does not declare. */
function checked(e: DomainEvent): DomainEvent {
  return makeEvent(e.type, catalogue[e.type].data.parse(e.data) as never);
}

/** Anything that changes the leaderboard also announces `leaderboard:updated` (SPEC). */
function withDerivedEvents(evts: DomainEvent[]): DomainEvent[] {
  const touchesLeaderboard = evts.some((e) => e.type !== "leaderboard:updated" && affectsOf(e).includes("leaderboard"));
  if (touchesLeaderboard && !evts.some((e) => e.type === "leaderboard:updated"))
    return [...evts, makeEvent("leaderboard:updated", {})];
  return evts;
}

/** Deadlocks and serialization failures: safe to retry the whole transaction. */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: string; meta?: { code?: string }; message?: string } | null;
  if (!e) return false;
  if (e.code === "P2034" || e.code === "40P01" || e.code === "40001") return true;
  if (e.meta?.code === "40P01" || e.meta?.code === "40001") return true;
  return /deadlock detected|could not serialize access/.test(e.message ?? "");
}
