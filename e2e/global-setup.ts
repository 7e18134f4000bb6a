/**
 * Starts what every spec shares: a fresh PostgreSQL database, a Redis key
 * prefix of the run's own, and two app instances on both (as behind a load
 * balancer), so a spec can put people on different instances and prove that
 * a change made on one reaches the browsers on the other. The returned
 * function is the global teardown: SIGTERM both (they must drain and exit 0),
 * drop the database, clear the prefix.
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  type AppEnv,
  AppInstance,
  ARTIFACTS,
  buildWebIfNeeded,
  clearRedisPrefix,
  createDatabase,
  dropDatabase,
  freePort,
} from "./support/app-server";

const INSTANCES = 2;
/** Admin emails, one per worker slot (`parallelIndex`), so workers never race for one account. */
const ADMIN_SLOTS = 8;

export default async function globalSetup() {
  buildWebIfNeeded();
  rmSync(join(ARTIFACTS, "logs"), { recursive: true, force: true });
  const db = await createDatabase();
  const run = randomUUID().slice(0, 8);
  const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
  const env: AppEnv = {
    urls: ports.map((p) => `http://127.0.0.1:${p}`),
    databaseUrl: db.url,
    databaseName: db.name,
    redisUrl: process.env.E2E_REDIS_URL ?? "redis://127.0.0.1:6379",
    redisKeyPrefix: `zse2e:${run}:`,
    jwtSecret: `e2e-secret-${randomUUID()}`,
    adminEmails: Array.from({ length: ADMIN_SLOTS }, (_, i) => `admin-${i}-${run}@e2e.test`),
  };
  const instances = ports.map((port, i) => new AppInstance(`app-${i}`, port, env));
  try {
    // Both at once: migrations take an advisory lock, so concurrent starts are safe.
    await Promise.all(instances.map((i) => i.start()));
  } catch (err) {
    await Promise.all(instances.map((i) => i.stop()));
    await dropDatabase(db.name);
    throw err;
  }
  process.stderr.write(`[e2e] app instances ${env.urls.join(", ")} on database ${db.name}\n`);
  // Workers inherit the runner's environment.
  process.env.ZS_E2E = JSON.stringify(env);

  return async () => {
    const codes = await Promise.all(instances.map((i) => i.stop()));
    await dropDatabase(db.name);
    await clearRedisPrefix(env.redisUrl, env.redisKeyPrefix);
    const bad = codes.map((c, i) => [i, c] as const).filter(([, c]) => c !== 0);
    if (bad.length)
      throw new Error(`app instances did not drain cleanly on SIGTERM: ${bad.map(([i, c]) => `app-${i} → ${c}`)}`);
  };
}
