import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../generated/prisma/client.js";
import type { Database, RawDb } from "./database.js";

/**
 * Embedded PostgreSQL (PGlite) on disk. It has a single connection: the Prisma
 * adapter serialises queries, and inside a transaction only the transaction
 * client may be used (touching the outer client would wait for itself).
 */
export async function openPglite(dataDir: string): Promise<{ db: Database; raw: RawDb }> {
  const memory = dataDir === "memory://";
  if (!memory) await mkdir(dataDir, { recursive: true });
  // After an unclean stop, crash recovery would otherwise keep a 10 s progress
  // timer armed forever and the process would not exit.
  const pglite = new PGlite(dataDir, { postgresqlconf: ["log_startup_progress_interval = 0"] } as never);
  await pglite.waitReady;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  let open = true;
  const db: Database = {
    kind: "pglite",
    prisma,
    async listen(channel, onNotify) {
      // In-process: the "connection" cannot drop, so there is nothing to reconnect.
      const unlisten = await pglite.listen(channel, onNotify);
      return unlisten;
    },
    listening: () => open,
    // Nobody else can open its data directory: no other instance to see.
    sessionsNamed: async () => [],
    async ping() {
      const t = performance.now();
      await prisma.$queryRaw`SELECT 1`;
      return performance.now() - t;
    },
    async close() {
      if (!open) return;
      open = false;
      await prisma.$disconnect();
      await pglite.close();
    },
  };
  const raw: RawDb = {
    query: (sql, params) => pglite.query(sql, params) as Promise<{ rows: Record<string, unknown>[] }>,
    exec: (script) => pglite.exec(script),
  };
  return { db, raw };
}
