import { join } from "node:path";
import fp from "fastify-plugin";
import type { Database } from "../db/database.js";
import { migrate } from "../db/migrate.js";
import { openPglite } from "../db/pglite.js";
import { openPostgres, withRawPostgres } from "../db/postgres.js";
import { seed } from "../db/seed.js";

declare module "fastify" {
  interface FastifyInstance {
    db: Database;
  }
}

export interface DbPluginOptions {
  /** Apply pending migrations at start (default true). */
  migrate?: boolean;
}

/**
 * The database: PostgreSQL when DATABASE_URL is set, otherwise PGlite on disk
 * under DATA_DIR. Migrations are applied before anything else touches it, and
 * the embedded database is seeded on its first start.
 */
export default fp<DbPluginOptions>(
  async (app, opts) => {
    const { config } = app;
    let db: Database;
    if (config.databaseUrl) {
      const url = config.databaseUrl;
      // LISTEN and the migrations' session advisory lock need a session of their own (not a pooler's).
      const direct = config.databaseDirectUrl ?? url;
      if (opts.migrate !== false) await logMigrations(app, await withRawPostgres(direct, (raw) => migrate(raw)));
      db = await openPostgres(url, app.log, direct);
    } else {
      const dir = config.dataDir === "memory://" ? "memory://" : join(config.dataDir, "pg");
      const opened = await openPglite(dir);
      db = opened.db;
      if (opts.migrate !== false) await logMigrations(app, await migrate(opened.raw));
      const firstStart = (await db.prisma.user.count()) === 0;
      // The demo accounts have a published password: only an instance that the
      // network cannot reach gets them unasked (SPEC "Operating contract").
      const reachable = !isLoopback(config.host);
      if ((config.seed === "auto" && firstStart && !reachable) || config.seed === "always") {
        // Nothing is cached and nobody listens yet: the seed's rows need no outbox
        // records (ADR 014). PGlite is one session, so the mark covers every statement.
        await db.prisma.$executeRawUnsafe("SET zerostale.origin = 'app'");
        const summary = await seed(db.prisma, config.adminEmails).finally(() =>
          db.prisma.$executeRawUnsafe("RESET zerostale.origin"),
        );
        app.log.info(summary, "seeded the embedded database with demo data");
      } else if (config.seed === "auto" && firstStart)
        app.log.info(
          { host: config.host },
          "not seeding demo data: HOST is reachable from the network (SEED=always would)",
        );
    }
    app.decorate("db", db);
    app.addHook("onClose", async () => {
      await db.close();
    });
  },
  { name: "db", dependencies: ["config"] },
);

/** Whether a listen address is reachable only from this machine. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\./.test(h);
}

async function logMigrations(
  app: { log: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void } },
  result: { applied: string[]; warnings: string[] },
) {
  if (result.applied.length) app.log.info({ applied: result.applied }, "applied database migrations");
  for (const w of result.warnings) app.log.warn({ warning: w }, "migration checksum mismatch");
}
