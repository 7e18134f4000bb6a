import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.js";
import type { Logger } from "../lib/log.js";
import type { Database, NotificationHandler, RawDb } from "./database.js";

const POOL_SIZE = 10;

export async function openPostgres(
  connectionString: string,
  log: Logger,
  /** For LISTEN: a session connection to PostgreSQL itself (a transaction pooler would lose notifications). */
  listenString = connectionString,
): Promise<Database> {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString, max: POOL_SIZE }) });
  await prisma.$connect();
  const listeners = new Set<PgListener>();
  return {
    kind: "postgres",
    prisma,
    async listen(channel, onNotify, onReconnect, opts = {}) {
      const listener = new PgListener(listenString, channel, onNotify, onReconnect, log, opts.as);
      listeners.add(listener);
      await listener.start();
      return async () => {
        listeners.delete(listener);
        await listener.stop();
      };
    },
    listening: () => [...listeners].every((l) => l.connected),
    async sessionsNamed(prefix) {
      const rows = await prisma.$queryRaw<{ name: string }[]>`
        SELECT application_name AS name FROM pg_stat_activity
        WHERE datname = current_database() AND left(application_name, length(${prefix})) = ${prefix}`;
      return rows.map((r) => r.name);
    },
    async ping() {
      const t = performance.now();
      await prisma.$queryRaw`SELECT 1`;
      return performance.now() - t;
    },
    async close() {
      await Promise.all([...listeners].map((l) => l.stop()));
      await prisma.$disconnect();
    },
  };
}

/** A dedicated connection that LISTENs and reconnects with backoff when it drops. */
class PgListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  private attempts = 0;
  connected = false;

  constructor(
    private readonly connectionString: string,
    private readonly channel: string,
    private readonly onNotify: NotificationHandler,
    private readonly onReconnect: () => void,
    private readonly log: Logger,
    /** application_name of the session (PostgreSQL keeps its first 63 bytes). */
    private readonly name?: string,
  ) {}

  async start(): Promise<void> {
    await this.connect(false);
  }

  private async connect(isReconnect: boolean): Promise<void> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      keepAlive: true,
      ...(this.name ? { application_name: this.name } : {}),
    });
    client.on("notification", (n) => {
      if (n.channel === this.channel && n.payload !== undefined) this.onNotify(n.payload);
    });
    client.on("error", (err) => this.log.warn({ err }, "database listener connection error"));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (err) {
      client.removeAllListeners("end");
      await client.end().catch(() => {});
      if (!isReconnect) throw err;
      this.log.warn({ err }, "database listener could not reconnect");
      this.schedule();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.connected = true;
    this.attempts = 0;
    if (isReconnect) {
      this.log.info({ channel: this.channel }, "database listener reconnected");
      this.onReconnect();
    }
  }

  private lost(client: pg.Client) {
    if (this.client !== client) return;
    this.client = null;
    this.connected = false;
    if (this.stopped) return;
    this.log.warn({ channel: this.channel }, "database listener lost its connection");
    this.schedule();
  }

  private schedule() {
    if (this.stopped || this.retry) return;
    const delay = Math.min(50 * 2 ** this.attempts++, 2000);
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect(true);
    }, delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    this.connected = false;
    if (c) await c.end().catch(() => {});
  }
}

/** A short-lived raw connection, for migrations. */
export async function withRawPostgres<T>(connectionString: string, fn: (db: RawDb) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn({
      query: (sql, params) => client.query(sql, params as unknown[]),
      exec: (script) => client.query(script),
    });
  } finally {
    await client.end();
  }
}
