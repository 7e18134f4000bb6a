/**
 * Applies prisma/migrations/<name>/migration.sql in name order and records them
 * in "_prisma_migrations" exactly as `prisma migrate deploy` does (same table,
 * sha256 checksum, same advisory lock), so `prisma migrate status` agrees. Prisma's
 * own deploy needs a native engine these machines cannot download; see
 * docs/decisions/001-prisma-offline-migrations.md.
 */
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ROOT } from "../lib/paths.js";
import type { RawDb } from "./database.js";

export const MIGRATIONS_DIR = join(ROOT, "prisma", "migrations");

const DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;
const LOCK_KEY = 72707369; // the advisory lock id Prisma Migrate uses

export interface MigrateResult {
  applied: string[];
  warnings: string[];
}

export async function migrate(db: RawDb, dir = MIGRATIONS_DIR): Promise<MigrateResult> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const warnings: string[] = [];
  await db.query(`SELECT pg_advisory_lock(${LOCK_KEY})`);
  try {
    await db.exec(DDL);
    const { rows } = await db.query(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const failed = rows.filter((r) => !r.finished_at && !r.rolled_back_at);
    if (failed.length)
      throw new Error(
        `failed migration(s) in the database, resolve them first: ${failed.map((r) => r.migration_name).join(", ")}`,
      );
    const done = new Map(
      rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => [String(r.migration_name), r.checksum]),
    );
    const applied: string[] = [];
    for (const name of names) {
      const sql = await readFile(join(dir, name, "migration.sql"), "utf8").catch(() => null);
      if (sql === null) continue;
      const checksum = createHash("sha256").update(sql, "utf8").digest("hex");
      if (done.has(name)) {
        if (done.get(name) !== checksum) warnings.push(`${name} was modified after it was applied`);
        continue;
      }
      const id = randomUUID();
      await db.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), 0)`,
        [id, checksum, name],
      );
      try {
        // One simple-protocol script = one implicit transaction: all or nothing.
        await db.exec(sql);
      } catch (e) {
        await db.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, String(e)]);
        throw new Error(`migration ${name} failed: ${e}`);
      }
      await db.query(
        `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = applied_steps_count + 1 WHERE id = $1`,
        [id],
      );
      applied.push(name);
    }
    return { applied, warnings };
  } finally {
    await db.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
  }
}
