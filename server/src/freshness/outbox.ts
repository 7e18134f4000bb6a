import { type DomainEvent, event, TABLES, type Table } from "@shared/realtime/events";
import type { Database } from "../db/database.js";
import type { Logger } from "../lib/log.js";
import type { Metrics } from "../lib/metrics.js";
import type { Outgoing } from "./bus.js";
import type { Freshness, OutboxRow } from "./pipeline.js";

/** NOTIFY channel of the outbox: a wake-up for the relays, its payload means nothing. */
export const CHANGES_CHANNEL = "zerostale_changes";

/** What the `zerostale_notify()` trigger records for a write from outside the API (see the outbox migration). */
interface Change {
  txid: string;
  table: Table;
  action: "insert" | "update" | "delete";
  id: string | null;
  projectId: string | null;
  userIds: string[];
}

/** How often a relay looks for rows that are due, besides being woken by NOTIFY. */
const POLL_MS = 50;
/** Rows one claim takes at most. */
const BATCH = 1000;
/** Above this many distinct external changes in one claim, treat the write as "everything changed". */
const BULK_THRESHOLD = 500;

/**
 * The relay (ADR 014), one per instance: claims outbox rows that are due
 * (`ready_at` passed: their writer did not complete them in time, or handed
 * them over; or they came from outside the API) with FOR UPDATE SKIP LOCKED, so
 * each row is worked on by one relay at a time, completes them (invalidate, then
 * publish durably: published once across instances, see RedisBus) and deletes
 * them in the same transaction. A relay that dies mid-way releases its claim;
 * the next one completes the rows again, idempotently.
 *
 * Writes from outside the API are merged per row within a claim and reach the
 * rooms of the rows they touched as `cache:invalidate`.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private unlisten: (() => Promise<void>) | null = null;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly freshness: Freshness,
    /** Publishes durably (throws rather than delivering only locally). */
    private readonly publish: (batch: Outgoing[]) => Promise<unknown>,
    /** Everything may have changed: invalidate all and resync every client. */
    private readonly resyncAll: (reason: string) => Promise<void>,
    /** False while this instance cannot complete anything (its Redis link is not trusted). */
    private readonly canRun: () => boolean,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  async start() {
    // Leftovers of a previous run (embedded mode: its only instance died) go first.
    await this.drain({ force: false }).catch((err) => this.log.warn({ err }, "outbox: first drain failed"));
    this.unlisten = await this.db.listen(
      CHANGES_CHANNEL,
      () => this.wake(),
      // Notifications are only wake-ups: nothing is lost while the listener was away.
      () => this.wake(),
    );
    this.timer = setInterval(() => this.wake(), POLL_MS);
    this.timer.unref();
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.unlisten?.();
  }

  /** Runs a pass now (or right after the one in progress). */
  wake() {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        if (!this.canRun()) break;
        await this.drain({ force: false }).catch((err) => this.log.warn({ err }, "outbox relay pass failed"));
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
  }

  /**
   * Completes every row that is due. `force` (a Redis link's recovery, before it
   * is trusted again): also waits for rows other relays hold, so that when it
   * returns nothing whose invalidation failed is left undone; it completes the
   * rows of changes made before it began (those made since are their writers'
   * and the relays' as usual; one whose invalidation fails marks the link down
   * again, and the recovery runs once more). Without that bound, a steady stream
   * of writes kept some row due at every check and the recovery never ended:
   * measured by the bench's crash scenario, ~10 s after a 3 s stall of an
   * instance's Redis link, on a loaded machine.
   */
  async drain(opts: { force: boolean }) {
    const before = opts.force
      ? (await this.db.prisma.$queryRaw<{ t: Date }[]>`SELECT clock_timestamp() AS t`)[0]!.t
      : null;
    for (;;) {
      const due = before
        ? await this.db.prisma.$queryRaw<{ n: number }[]>`
            SELECT count(*)::int AS n FROM (SELECT 1 FROM zerostale_outbox
              WHERE ready_at <= now() AND created_at <= ${before} LIMIT 1) d`
        : await this.db.prisma.$queryRaw<{ n: number }[]>`
            SELECT count(*)::int AS n FROM (SELECT 1 FROM zerostale_outbox WHERE ready_at <= now() LIMIT 1) d`;
      if (!due[0]?.n) return;
      const claimed = await this.claimAndComplete(before);
      if (!claimed && !opts.force) return;
    }
  }

  /** `before`: a forced claim (waits for rows others hold) of the rows created up to then. */
  private async claimAndComplete(before: Date | null): Promise<number> {
    return this.db.prisma.$transaction(
      async (tx) => {
        const rows = before
          ? await tx.$queryRaw<OutboxRow[]>`
              SELECT id::text AS id, kind, body, created_at AS "createdAt" FROM zerostale_outbox
               WHERE ready_at <= now() AND created_at <= ${before} ORDER BY id LIMIT ${BATCH} FOR UPDATE`
          : await tx.$queryRaw<OutboxRow[]>`
              SELECT id::text AS id, kind, body, created_at AS "createdAt" FROM zerostale_outbox
               WHERE ready_at <= now() ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
        if (!rows.length) return 0;
        const own = rows.filter((r) => r.kind !== "external");
        const external = rows.filter((r) => r.kind === "external");
        const merged = mergeExternal(external, this.metrics, this.log);
        let extraDelete: string[] = [];
        if (merged.size > BULK_THRESHOLD) {
          await this.resyncAll(`bulk external write (${merged.size} rows)`);
          // The rest of those transactions' rows are covered by the resync too.
          extraDelete = [...new Set(external.map((r) => (r.body as Change).txid))];
          await this.freshness.completeRows(own, this.publish);
        } else {
          await this.freshness.completeRows([...own, ...merged.values()], this.publish);
        }
        const ids = rows.map((r) => r.id);
        await tx.$executeRaw`DELETE FROM zerostale_outbox WHERE id = ANY(${ids}::bigint[])`;
        // Rows of those transactions that another relay holds are its to complete (it resyncs too):
        // waiting for them while it waits for ours was a deadlock (three instances starting on a bulk fill).
        if (extraDelete.length)
          await tx.$executeRaw`
            DELETE FROM zerostale_outbox WHERE id IN (
              SELECT id FROM zerostale_outbox WHERE kind = 'external' AND body->>'txid' = ANY(${extraDelete}::text[])
                 FOR UPDATE SKIP LOCKED)`;
        return rows.length;
      },
      { maxWait: 5_000, timeout: 15_000 },
    );
  }
}

/**
 * External changes, one per (transaction, table, action, row), as outbox rows
 * of the app's shape: a `cache:invalidate` to the rooms of the rows touched.
 * The first row of each group stands for it (a relay that completes the same
 * claim again picks the same one, so it is still published once).
 */
function mergeExternal(rows: OutboxRow[], metrics: Metrics, log: Logger): Map<string, OutboxRow> {
  const merged = new Map<string, { row: OutboxRow; change: Change }>();
  for (const row of rows) {
    const c = row.body as Change;
    if (!TABLES.includes(c.table)) {
      log.warn({ change: c }, "ignoring a change of an unknown table");
      continue;
    }
    metrics.notifyReceived.inc({ table: c.table });
    const key = `${c.txid}|${c.table}|${c.action}|${c.id}`;
    const prev = merged.get(key);
    if (prev) prev.change = { ...prev.change, userIds: [...new Set([...prev.change.userIds, ...c.userIds])] };
    else merged.set(key, { row, change: c });
  }
  const out = new Map<string, OutboxRow>();
  for (const [key, { row, change: c }] of merged) {
    const e: DomainEvent = event("cache:invalidate", {
      resource: c.table,
      action: c.action,
      // Composite keys (votes) would name the voter in a public room: use the parent instead.
      id: c.table === "votes" ? c.projectId : c.table === "comment_votes" ? null : c.id,
      projectId: c.projectId,
    });
    out.set(key, { ...row, kind: "app", body: { ctx: { userIds: c.userIds }, events: [e], touched: [] } });
  }
  return out;
}
