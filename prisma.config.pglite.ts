// biome-ignore-all lint/suspicious/noExplicitAny: patches private members of Prisma's adapters for the CLI only
// Prisma 6.19 CLI config for embedded PGlite: `prisma <cmd> --config prisma.config.pglite.ts`
// PGLITE_DIR=./.pglite (persistent) or PGLITE_DIR=memory:// (throwaway, e.g. for migrate diff).

import { PGlite, type PGliteOptions } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { defineConfig } from "prisma/config";

process.env.DATABASE_URL ??= "postgresql://placeholder@localhost:5432/placeholder"; // see prisma.config.ts
// The CLI never closes PGlite; after such an unclean stop Postgres' crash recovery re-arms the
// 10 s log_startup_progress_interval timer forever and the next CLI run never exits.
const opts: PGliteOptions = { postgresqlconf: ["log_startup_progress_interval = 0"] };

// Fix A: adapter 0.6.1 executeScript() does not await exec(): a failing migration is recorded
// as applied, then the CLI dies of an unhandled rejection. Await it (one implicit transaction).
const awaitScript = <T extends { executeScript(s: string): Promise<void> }>(a: T): T => {
  a.executeScript = async (s: string) => {
    try {
      await (a as any).client.exec(s);
    } catch (e) {
      (a as any).onError(e);
    }
  };
  return a;
};
// Fix B: the engine replays migrations into the shadow DB via executeRaw(sql, no args); PGlite's
// query() (extended protocol) rejects multi-statement SQL, so use exec() for arg-less statements.
const simpleNoArgs = <T extends { executeRaw(q: any): Promise<number> }>(a: T): T => {
  const orig = a.executeRaw.bind(a);
  a.executeRaw = async (q: any) => {
    if (q.args.length) return orig(q);
    try {
      return (await (a as any).client.exec(q.sql)).at(-1)?.affectedRows ?? 0;
    } catch (e) {
      (a as any).onError(e);
    }
  };
  return a;
};
class MigratePGlite extends PrismaPGlite {
  override async connect() {
    return awaitScript(await super.connect());
  }
  override async connectToShadowDb() {
    return simpleNoArgs(awaitScript(await new PrismaPGlite(new PGlite("memory://", opts)).connect()));
  }
}
// Fix C: the CLI calls adapter() twice per command; never open one data dir twice.
let db: PGlite | undefined;

export default defineConfig({
  experimental: { adapter: true },
  schema: "prisma/schema.prisma",
  engine: "js",
  async adapter() {
    db ??= new PGlite(process.env.PGLITE_DIR ?? "./.pglite", opts);
    return new MigratePGlite(db);
  },
});
