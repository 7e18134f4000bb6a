/**
 * The outbox on PGlite (embedded mode: one connection, so inside a transaction
 * only `tx`): the single-statement functions record their result in the same
 * statement, and a change left behind by a process that died is completed at
 * the next start, before anything is served.
 */
import type { Envelope } from "@shared/realtime/events";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Cache } from "../cache/cache.js";
import { MemoryStore } from "../cache/memory-store.js";
import type { Database, RawDb } from "../db/database.js";
import { migrate } from "../db/migrate.js";
import { openPglite } from "../db/pglite.js";
import { Prisma } from "../generated/prisma/client.js";
import { createMetrics } from "../lib/metrics.js";
import { MemoryBus } from "./bus.js";
import { OutboxRelay } from "./outbox.js";
import { Freshness } from "./pipeline.js";

let db: Database;
let raw: RawDb;
const log = pino({ level: "silent" });

beforeAll(async () => {
  ({ db, raw } = await openPglite("memory://"));
  await migrate(raw);
}, 120_000);
afterAll(async () => {
  await db?.close();
});

/** One process's freshness machinery on the shared PGlite (what the plugins wire up). */
function instance() {
  const metrics = createMetrics();
  const delivered: Envelope[] = [];
  const bus = new MemoryBus((batch) => delivered.push(...batch));
  const store = new MemoryStore();
  const cache = new Cache(
    store,
    () => true,
    () => {},
    metrics,
    log,
    60,
  );
  const freshness = new Freshness(db, cache, (batch) => bus.publish(batch), metrics, log);
  const relay = new OutboxRelay(
    db,
    freshness,
    (batch) => bus.publish(batch, { durable: true }),
    async () => {},
    () => true,
    metrics,
    log,
  );
  return { freshness, relay, delivered, store };
}

const rows = async () =>
  (await db.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM zerostale_outbox`)[0]!.n;

it("a vote (one statement) records its result and completes it, on PGlite", async () => {
  const [u] = await db.prisma.$queryRaw<{ id: string }[]>`
    INSERT INTO users (email, password_hash, name) VALUES ('pg@example.test', 'x', 'P') RETURNING id::text`;
  const [p] = await db.prisma.$queryRaw<{ id: string }[]>`
    INSERT INTO projects (owner_id, title, description) VALUES (${u!.id}::uuid, 'T', 'D') RETURNING id::text`;
  // The inserts above came from outside the API: their outbox rows are completed by a relay.
  const one = instance();
  await one.relay.drain({ force: false });
  expect(await rows()).toBe(0);
  const vote = one.freshness.defineStatement<{ projectId: string }, { changed: boolean; score: number }>(
    "test:vote",
    ({ projectId }, _row, fx) => fx.emit("project:updated", { projectId, ownerId: u!.id }),
  );
  const row = await vote(
    { actorId: u!.id },
    { projectId: p!.id },
    Prisma.sql`SELECT changed, score FROM zerostale_vote(${p!.id}::uuid, ${u!.id}::uuid, 1)`,
    Prisma.sql`r.changed`,
  );
  expect(row).toMatchObject({ changed: true, score: 1 });
  await new Promise((r) => setTimeout(r, 50)); // the row is deleted once published
  expect(one.delivered.filter((e) => e.type === "project:updated" && e.room === "feed")).toHaveLength(1);
  expect(await rows()).toBe(0);
  // Nothing changed: nothing recorded, nothing emitted.
  await vote(
    { actorId: u!.id },
    { projectId: p!.id },
    Prisma.sql`SELECT changed, score FROM zerostale_vote(${p!.id}::uuid, ${u!.id}::uuid, 1)`,
    Prisma.sql`r.changed`,
  );
  expect(await rows()).toBe(0);
  expect(one.delivered.filter((e) => e.type === "project:updated" && e.room === "feed")).toHaveLength(1);
});

it("a change left in the outbox by a process that died is completed at the next start", async () => {
  const [p] = await db.prisma.$queryRaw<{ id: string; owner: string }[]>`
    SELECT id::text, owner_id::text AS owner FROM projects LIMIT 1`;
  // What a transaction of a process killed right after its COMMIT leaves behind.
  const body = {
    ctx: {},
    events: [{ type: "project:updated", data: { projectId: p!.id, ownerId: p!.owner } }],
    touched: [],
  };
  await db.prisma.$executeRaw`
    INSERT INTO zerostale_outbox (kind, body, ready_at)
    VALUES ('app', ${JSON.stringify(body)}::jsonb, clock_timestamp() + interval '400 milliseconds')`;
  await new Promise((r) => setTimeout(r, 450)); // the restart comes later than that
  const next = instance();
  await next.relay.start();
  try {
    expect(await rows()).toBe(0);
    const got = next.delivered.filter((e) => e.type === "project:updated" && e.room === "feed");
    expect(got).toHaveLength(1);
    expect(got[0]!.data).toMatchObject({ projectId: p!.id });
  } finally {
    await next.relay.stop();
  }
});
