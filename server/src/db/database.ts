import type { PrismaClient } from "../generated/prisma/client.js";

export type Prisma = PrismaClient;
/** The client handed to code running inside a transaction. */
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

export type NotificationHandler = (payload: string) => void;

/**
 * The database, whichever engine runs it (PostgreSQL in server mode, PGlite in
 * embedded mode). Nothing above this interface knows which one it talks to.
 */
export interface Database {
  readonly kind: "postgres" | "pglite";
  readonly prisma: PrismaClient;
  /**
   * Listens on a NOTIFY channel. `onReconnect` runs after the listening
   * connection was lost and re-established: notifications sent meanwhile are
   * gone, so the caller must assume anything changed. `as` names the listening
   * session (its application_name), so other instances can see who listens.
   */
  listen(
    channel: string,
    onNotify: NotificationHandler,
    onReconnect: () => void,
    opts?: { as?: string },
  ): Promise<() => Promise<void>>;
  /** Names of the sessions connected to this database whose name starts with `prefix`. */
  sessionsNamed(prefix: string): Promise<string[]>;
  /** True while the listening connection is up. */
  listening(): boolean;
  ping(): Promise<number>;
  close(): Promise<void>;
}

/** Raw access for the migration runner: parameterised queries and multi-statement scripts. */
export interface RawDb {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  exec(script: string): Promise<unknown>;
}
