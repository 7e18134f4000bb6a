// biome-ignore-all lint/suspicious/noExplicitAny: patches private members of Prisma's adapters for the CLI only
// Prisma 6.19 CLI config: Wasm ("js") schema engine + @prisma/adapter-pg. No native engines.

import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { parse } from "pg-connection-string";
import { defineConfig } from "prisma/config";

// Prisma 6 wants a valid datasource url even with an adapter; without one it falls back
// to downloading a native engine (even for `generate`). Never connected to.
process.env.DATABASE_URL ??= "postgresql://placeholder@localhost:5432/placeholder";

// Fix 1 (prisma/orm#27403): adapter-pg 6.x cannot map pg_catalog's "name" (OID 19) and
// "char" (OID 18) columns read by the schema engine -> report them as text (OID 25).
const fix = (res: any) => {
  for (const r of Array.isArray(res) ? res : [res])
    for (const f of r?.fields ?? []) if (f.dataTypeID === 18 || f.dataTypeID === 19) f.dataTypeID = 25;
  return res;
};
class NameAsTextClient extends pg.Client {
  override query(...args: any[]): any {
    const i = args.findIndex((a) => typeof a === "function");
    if (i >= 0) {
      const cb = args[i];
      args[i] = (err: unknown, res: unknown) => cb(err, err ? res : fix(res));
      return (super.query as any)(...args);
    }
    const r = (super.query as any)(...args);
    return r && typeof r.then === "function" ? r.then(fix) : r;
  }
}
// Fix 2: adapter-pg 6.x executeScript() splits migration.sql on ";" (breaks plpgsql $$
// bodies, no atomicity). Send the file as one simple query = one implicit transaction.
const wholeScript = <T extends { executeScript(s: string): Promise<void> }>(a: T): T => {
  a.executeScript = async (s: string) => {
    try {
      await (a as any).underlyingDriver().query(s);
    } catch (e) {
      (a as any).onError(e);
    }
  };
  return a;
};
// Fix 3: adapter-pg 6.x connectToShadowDb() ignores `database` when a connectionString is
// set (shadow == main DB) and drops the shadow DB before closing its pool.
class MigratePg extends PrismaPg {
  constructor(private readonly cfg: pg.PoolConfig) {
    super(cfg);
  }
  override async connect() {
    return wholeScript(await super.connect());
  }
  override async connectToShadowDb() {
    const admin = await this.connect();
    const db = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await admin.executeScript(`CREATE DATABASE "${db}"`);
    const shadow = wholeScript(await new PrismaPg({ ...this.cfg, database: db }).connect());
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await admin.executeScript(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      await admin.dispose();
    };
    return shadow;
  }
}

export default defineConfig({
  experimental: { adapter: true },
  schema: "prisma/schema.prisma",
  engine: "js",
  async adapter() {
    const { database, ...rest } = parse(process.env.DATABASE_URL!);
    return new MigratePg({
      ...(rest as pg.PoolConfig),
      database: database ?? undefined,
      Client: NameAsTextClient,
      allowExitOnIdle: true,
    });
  },
});
