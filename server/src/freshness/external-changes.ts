import { event, TABLES, type Table } from "@shared/realtime/events";
import type { Database } from "../db/database.js";
import type { Logger } from "../lib/log.js";
import type { Metrics } from "../lib/metrics.js";
import type { Freshness } from "./pipeline.js";

export const CHANGES_CHANNEL = "zerostale_changes";

/** What the `zerostale_notify()` trigger sends (see the init migration). */
interface Change {
  txid: string;
  table: Table;
  action: "insert" | "update" | "delete";
  id: string | null;
  projectId: string | null;
  userIds: string[];
}

/** Above this many distinct rows in one window, treat the write as "everything changed". */
const BULK_THRESHOLD = 500;

/**
 * Writes from outside the API (psql, scripts, other services) reach the app
 * through the triggers' NOTIFY. Every instance listens; notifications arriving
 * within a short window are merged per row, and for each change one instance
 * (whichever claims it first) invalidates the cache and emits `cache:invalidate`
 * to the rooms of the rows it touched. The API's own transactions never notify
 * (they are marked), so nothing is delivered twice.
 */
export class ExternalChanges {
  private queue: Change[] = [];
  private timer: NodeJS.Timeout | null = null;
  private unlisten: (() => Promise<void>) | null = null;

  constructor(
    private readonly db: Database,
    private readonly freshness: Freshness,
    /** True when this instance should deliver the change (it won the claim). */
    private readonly claim: (key: string) => Promise<boolean>,
    /** Everything may have changed: invalidate all and resync every client. */
    private readonly resyncAll: (reason: string) => Promise<void>,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly windowMs = 5,
  ) {}

  async start() {
    this.unlisten = await this.db.listen(
      CHANGES_CHANNEL,
      (payload) => this.receive(payload),
      // Notifications sent while the listener was away are lost: assume the worst.
      () => void this.resyncAll("database listener reconnected"),
    );
  }

  async stop() {
    if (this.timer) clearTimeout(this.timer);
    await this.flush();
    await this.unlisten?.();
  }

  private receive(payload: string) {
    let change: Change;
    try {
      change = JSON.parse(payload) as Change;
      if (!TABLES.includes(change.table)) throw new Error(`unknown table ${change.table}`);
    } catch (err) {
      this.log.warn({ err, payload }, "ignoring an unreadable change notification");
      return;
    }
    this.metrics.notifyReceived.inc({ table: change.table });
    this.queue.push(change);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.windowMs);
  }

  private async flush() {
    const batch = this.queue;
    this.queue = [];
    if (!batch.length) return;
    const merged = new Map<string, Change>();
    for (const c of batch) {
      const key = `${c.txid}|${c.table}|${c.action}|${c.id}`;
      const prev = merged.get(key);
      merged.set(key, prev ? { ...c, userIds: [...new Set([...prev.userIds, ...c.userIds])] } : c);
    }
    if (merged.size > BULK_THRESHOLD) {
      const txids = [...new Set(batch.map((c) => c.txid))].sort().join(",");
      if (await this.claim(`bulk:${txids}`)) await this.resyncAll(`bulk external write (${merged.size} rows)`);
      return;
    }
    await Promise.all(
      [...merged.entries()].map(async ([key, c]) => {
        try {
          if (!(await this.claim(key))) return;
          await this.freshness.afterCommit(
            [
              event("cache:invalidate", {
                resource: c.table,
                action: c.action,
                // Composite keys (votes) would name the voter in a public room: use the parent instead.
                id: c.table === "votes" ? c.projectId : c.table === "comment_votes" ? null : c.id,
                projectId: c.projectId,
              }),
            ],
            { userIds: c.userIds },
          );
        } catch (err) {
          this.log.error({ err, change: c }, "could not deliver an external change");
        }
      }),
    );
  }
}
