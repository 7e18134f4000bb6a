/**
 * Creates one migrated template database per test run; every test file clones
 * its own database from it (CREATE DATABASE … TEMPLATE, ~50 ms), so files run
 * in parallel without seeing each other's rows. Dropped at the end.
 */
import { spawnSync } from "node:child_process";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { migrate } from "../src/db/migrate.js";
import { withRawPostgres } from "../src/db/postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
    testRun: string;
    redisUrl: string;
  }
}

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export default async function setup(project: TestProject) {
  // The compiled server (dist/server), built once here rather than by each test file that runs
  // it: two builds at once swap directories under each other and one of them fails.
  const built = spawnSync(process.execPath, ["scripts/build-server.mjs", "--if-stale"], { stdio: "inherit" });
  if (built.status !== 0) throw new Error("the server build (scripts/build-server.mjs) failed");
  const run = `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const template = `zs_test_${run}_tpl`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `The server tests need PostgreSQL at ${ADMIN_URL} (set TEST_DATABASE_URL), and Redis at ${REDIS_URL} (TEST_REDIS_URL). Run \`bash .ci/run\` to install and start both. Cause: ${err}`,
    );
  }
  // Leftovers of runs killed before their teardown (names start with the run's time).
  const stale = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'zs\\_test\\_%'`);
  for (const { datname } of stale.rows as { datname: string }[]) {
    const started = Number.parseInt(datname.split("_")[2] ?? "", 36);
    if (Date.now() - started > 3 * 3600_000)
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => {});
  }
  await admin.query(`CREATE DATABASE "${template}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${template}`;
  await withRawPostgres(url.toString(), (raw) => migrate(raw));
  await admin.end();
  project.provide("adminDatabaseUrl", ADMIN_URL);
  project.provide("templateDatabase", template);
  project.provide("testRun", run);
  project.provide("redisUrl", REDIS_URL);

  return async () => {
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    const dbs = await c.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`zs_test_${run}_%`]);
    for (const { datname } of dbs.rows)
      await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => {});
    await c.end();
  };
}
