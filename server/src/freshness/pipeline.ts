import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import {
  affectsOf,
  coalesceKeyOf,
  type DomainEvent,
  type EventData,
  type EventType,
  eventSchema,
  event as makeEvent,
  type RoomContext,
  roomsOf,
} from "@shared/realtime/events";
import type { Resource } from "@shared/realtime/resources";
import { z } from "zod";
import type { Cache } from "../cache/cache.js";
import type { Database, Tx } from "../db/database.js";
import { Prisma } from "../generated/prisma/client.js";
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

/** What a change still has to do: the resources to invalidate and the envelopes (without numbers) to publish. */
export interface Plan {
  events: DomainEvent[];
  resources: Resource[];
  outgoing: Outgoing[];
}

/** An outbox row as the relay reads it (see the outbox migration). */
export interface OutboxRow {
  id: string;
  kind: "app" | "statement" | "external";
  body: unknown;
  createdAt: Date;
}

/** The body of an `app` row: the events the transaction declared. */
interface AppBody {
  ctx: RoomContext;
  events: DomainEvent[];
  touched: Resource[];
}

/** The body of a `statement` row: the database function's result, described by the statement's recipe. */
interface StatementBody {
  name: string;
  ctx: RoomContext;
  args: unknown;
  row: unknown;
}

/**
 * Declares the events of a single-statement mutation from its arguments and
 * the row its database function returned. Runs on the writer, and on a relay
 * (with the row as stored in the outbox, JSON) when the writer could not finish.
 */
export type Describe<A, R> = (args: A, row: R, fx: Effects) => void;

/** Test-only fault points (ZEROSTALE_TEST_FAULT): the process dies there, as under SIGKILL. */
export type FaultPoint = "after-commit" | "after-invalidate";
export interface Fault {
  point: FaultPoint;
  /** Only changes with an event of this type trip it. */
  type: EventType;
}

// Marks the transaction as the API's own: the change-notification triggers skip
// it, because it records its precise effects in the outbox itself (ADR 014).
const MARK_APP_ORIGIN = "SELECT set_config('zerostale.origin', 'app', true)";
const MAX_ATTEMPTS = 3;
// Under a burst, writers queue for a connection rather than fail fast.
const TX_OPTIONS = { maxWait: 5_000, timeout: 10_000 } as const;
/** A relay leaves a row to its writer this long after it was written (ADR 014). */
export const RELAY_AFTER_MS = 300;
const READY_IN = Prisma.raw(`clock_timestamp() + interval '${RELAY_AFTER_MS} milliseconds'`);
/** How long a writer whose invalidation failed waits for a relay to complete its change before answering. */
const HANDOVER_WAIT_MS = 1500;
const HANDOVER_POLL_MS = 25;

/**
 * The one pipeline every mutation goes through (ADR 014):
 *   1. the transaction records its effects in the outbox, and commits (nothing
 *      below runs for a rollback; a committed change is never without its row);
 *   2. every cache entry the change affects is invalidated;
 *   3. the events are published for their rooms; then the row is deleted.
 * Invalidation comes before emission, or a client refetching on the event could
 * be served the old value. If the writer dies anywhere after the commit, or its
 * invalidation fails, a relay on another instance completes the row. Events come
 * from the shared catalogue, whose schemas strip anything a payload should not carry.
 *
 * Emits "committed" with what it did, for tests and diagnostics.
 */
export class Freshness extends EventEmitter<{ committed: [Committed] }> {
  private readonly recipes = new Map<string, Describe<unknown, unknown>>();
  private readonly done: Deleter;

  constructor(
    private readonly db: Database,
    private readonly cache: Cache,
    /** Coalesces, numbers and publishes; resolves true once published to every instance. */
    private readonly emitBatch: (batch: Outgoing[]) => Promise<boolean>,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly fault: Fault | null = null,
  ) {
    super();
    this.done = new Deleter(db, log);
  }

  /** Runs `work` in a transaction that also records its effects, then completes them. */
  async mutate<T>(ctx: RoomContext, work: (tx: Tx, fx: Effects) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const { fx, evts, touched } = collector();
      let plan: Plan | null = null;
      let id: string | null = null;
      let result: T;
      try {
        result = await this.db.prisma.$transaction(async (tx) => {
          await tx.$executeRawUnsafe(MARK_APP_ORIGIN);
          const r = await work(tx, fx);
          plan = planOf(evts, ctx, touched);
          if (plan) {
            const body: AppBody = { ctx, events: plan.events, touched };
            const [row] = await tx.$queryRaw<{ id: string }[]>`
              INSERT INTO zerostale_outbox (kind, body, ready_at)
              VALUES ('app', ${JSON.stringify(body)}::jsonb, ${READY_IN}) RETURNING id::text AS id`;
            id = row!.id;
          }
          return r;
        }, TX_OPTIONS);
      } catch (err) {
        if (attempt < MAX_ATTEMPTS && isTransient(err)) {
          this.log.debug({ err, attempt }, "transient database failure; retrying");
          continue;
        }
        throw err;
      }
      if (plan && id) await this.complete(id, plan);
      return result;
    }
  }

  /**
   * A mutation that is a single statement: a database function that marks its
   * transaction as the app's own (see the vote_functions migration). No
   * interactive transaction, so no row lock is held across network round trips.
   * The function runs inside a statement that also writes its result row to the
   * outbox when `when` holds (the function changed something), so the change and
   * its record commit together; `describe` turns the row into events, here and
   * on a relay. Transient failures (serialization, deadlock) are retried.
   */
  defineStatement<A, R extends object>(name: string, describe: Describe<A, R>) {
    this.recipes.set(name, describe as Describe<unknown, unknown>);
    return async (ctx: RoomContext, args: A, query: Prisma.Sql, when: Prisma.Sql): Promise<R | undefined> => {
      for (let attempt = 1; ; attempt++) {
        let row: (R & { outboxId: string | null }) | undefined;
        try {
          [row] = await this.db.prisma.$queryRaw<(R & { outboxId: string | null })[]>`
            WITH r AS MATERIALIZED (${query}),
            o AS (
              INSERT INTO zerostale_outbox (kind, body, ready_at)
              SELECT 'statement', jsonb_build_object('name', ${name}::text, 'ctx', ${JSON.stringify(ctx)}::jsonb,
                       'args', ${JSON.stringify(args)}::jsonb, 'row', to_jsonb(r)), ${READY_IN}
                FROM r WHERE ${when}
              RETURNING id
            )
            SELECT r.*, (SELECT id::text FROM o) AS "outboxId" FROM r`;
        } catch (err) {
          if (attempt < MAX_ATTEMPTS && isTransient(err)) {
            this.log.debug({ err, attempt }, "transient database failure; retrying");
            continue;
          }
          throw err;
        }
        if (!row) return undefined;
        const { outboxId, ...result } = row;
        if (outboxId) {
          const plan = this.planStatement({ name, ctx, args, row: JSON.parse(JSON.stringify(result)) });
          if (plan) await this.complete(outboxId, plan);
          else this.done.add(outboxId);
        }
        return result as unknown as R;
      }
    };
  }

  /**
   * The writer's completion of its own change: invalidate, then publish, then
   * delete the row. The answer waits for the invalidation (a GET after it must
   * be fresh) but not for the publish: the row stays in the outbox until the
   * publish succeeded, so a relay publishes it if this process dies first.
   */
  private async complete(id: string, plan: Plan) {
    this.trip("after-commit", plan);
    this.metrics.mutations.inc();
    const ok = await this.cache.invalidate(plan.resources);
    const at = new Date().toISOString();
    const outgoing = plan.outgoing.map((o, n) => ({ ...o, at, ids: [`${id}.${n}`] }));
    if (!ok) {
      // Another instance's relay must complete it (its Redis link may work):
      // answer once it has, so no instance serves what this change made stale.
      // This instance's clients get the events through the stream when the relay
      // publishes the row (its subscription still works), or else at once,
      // delivered locally (they refetch from the database, and resync on recovery).
      await this.handOver([id], true);
      await this.emitBatch(outgoing).catch(() => false);
      this.emit("committed", { events: plan.events, resources: plan.resources, outgoing });
      return;
    }
    this.trip("after-invalidate", plan);
    this.emitBatch(outgoing).then(
      (published) => {
        if (published) {
          this.metrics.outboxCompleted.inc({ by: "writer" });
          this.done.add(id);
        } else void this.handOver([id], false);
      },
      (err) => {
        this.log.warn({ err }, "could not publish a change's events; leaving it to the relay");
        void this.handOver([id], false);
      },
    );
    this.emit("committed", { events: plan.events, resources: plan.resources, outgoing });
  }

  /** Makes rows ready for the relays now and wakes them; optionally waits (bounded) until they are completed. */
  private async handOver(ids: string[], wait: boolean) {
    try {
      await this.db.prisma.$executeRaw`
        UPDATE zerostale_outbox SET ready_at = clock_timestamp() WHERE id = ANY(${ids}::bigint[])`;
      await this.db.prisma.$executeRaw`SELECT pg_notify('zerostale_changes', '')`;
      if (!wait) return;
      const deadline = Date.now() + HANDOVER_WAIT_MS;
      while (Date.now() < deadline) {
        await sleep(HANDOVER_POLL_MS);
        const left = await this.db.prisma.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM zerostale_outbox WHERE id = ANY(${ids}::bigint[])`;
        if (!left[0]?.n) return;
      }
      this.log.warn({ ids }, "no relay completed a change in time (redis unreachable everywhere?); answering");
    } catch (err) {
      this.log.warn({ err }, "could not hand a change over to the relays (they take it when it is due)");
    }
  }

  /**
   * Completes rows a relay claimed: one invalidation for all, one publish
   * (durable: an envelope that cannot reach Redis throws, and the rows stay).
   * Returns plans of what it did.
   */
  async completeRows(rows: OutboxRow[], publish: (batch: Outgoing[]) => Promise<unknown>): Promise<void> {
    const plans: { row: OutboxRow; plan: Plan }[] = [];
    for (const row of rows) {
      const plan = this.planRow(row);
      if (plan) plans.push({ row, plan });
    }
    const resources = new Set<Resource>(plans.flatMap((p) => p.plan.resources));
    if (!(await this.cache.invalidate(resources))) throw new Error("invalidation failed");
    const outgoing = plans.flatMap(({ row, plan }) =>
      plan.outgoing.map((o, n) => ({ ...o, at: row.createdAt.toISOString(), ids: [`${row.id}.${n}`] })),
    );
    await publish(outgoing);
    const now = Date.now();
    for (const { row } of plans) this.metrics.outboxRelayLag.observe(Math.max(0, now - row.createdAt.getTime()) / 1000);
    this.metrics.outboxCompleted.inc({ by: "relay" }, rows.length);
    if (plans.length)
      this.emit("committed", {
        events: plans.flatMap((p) => p.plan.events),
        resources: [...resources],
        outgoing,
      });
  }

  /** Invalidates and publishes events that have no outbox row (a resync of this instance's clients). */
  async deliverNow(evts: DomainEvent[], ctx: RoomContext) {
    const plan = planOf(evts, ctx, []);
    if (!plan) return;
    await this.cache.invalidate(plan.resources);
    const at = new Date().toISOString();
    await this.emitBatch(plan.outgoing.map((o) => ({ ...o, at })));
  }

  private planRow(row: OutboxRow): Plan | null {
    switch (row.kind) {
      case "app": {
        const b = row.body as AppBody;
        return planOf(b.events, b.ctx, b.touched);
      }
      case "statement":
        return this.planStatement(row.body as StatementBody);
      default:
        throw new Error(`outbox row ${row.id} of kind ${row.kind} has no plan here`);
    }
  }

  private planStatement(b: StatementBody): Plan | null {
    const recipe = this.recipes.get(b.name);
    if (!recipe) throw new Error(`no recipe for the statement ${b.name}`);
    const { fx, evts, touched } = collector();
    recipe(b.args, b.row, fx);
    return planOf(evts, b.ctx, touched);
  }

  private trip(point: FaultPoint, plan: Plan) {
    if (this.fault?.point !== point || !plan.events.some((e) => e.type === this.fault?.type)) return;
    this.log.fatal({ point }, "test fault point reached: dying");
    process.kill(process.pid, "SIGKILL");
  }

  async close() {
    await this.done.flush();
  }
}

/** The resources and envelopes (without `at`) of a change; null when it has none. */
export function planOf(evts: DomainEvent[], ctx: RoomContext, touched: Resource[]): Plan | null {
  if (!evts.length && !touched.length) return null;
  const all = withDerivedEvents(evts.map(checked));
  const resources = new Set<Resource>(touched);
  for (const e of all) for (const r of affectsOf(e)) resources.add(r);
  const outgoing: Outgoing[] = all.flatMap((e) =>
    roomsOf(e, ctx).map((room) => ({ room, type: e.type, data: e.data, at: "", key: coalesceKeyOf(e) })),
  );
  return { events: all, resources: [...resources], outgoing };
}

/**
 * Deletes completed rows in batches, one statement in flight at a time: under
 * load many completions share one round trip.
 */
class Deleter {
  private pending: string[] = [];
  private running: Promise<void> | null = null;
  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  add(id: string) {
    this.pending.push(id);
    this.running ??= this.run();
  }

  private async run() {
    while (this.pending.length) {
      const ids = this.pending;
      this.pending = [];
      try {
        await this.db.prisma.$executeRaw`DELETE FROM zerostale_outbox WHERE id = ANY(${ids}::bigint[])`;
      } catch (err) {
        // Left for a relay: it completes them again, idempotently (published once, see RedisBus).
        this.log.warn({ err, rows: ids.length }, "could not delete completed outbox rows");
      }
    }
    this.running = null;
  }

  async flush() {
    await this.running;
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
  return makeEvent(e.type, eventSchema(e.type, z).parse(e.data) as never);
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
