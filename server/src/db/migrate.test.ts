/** Migrations apply once, record themselves as Prisma does, and do the same on PostgreSQL and PGlite. */
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { migrate } from "./migrate.js";

const TABLES = [
  "users",
  "projects",
  "votes",
  "comments",
  "comment_votes",
  "intros",
  "messages",
  "badges",
  "follows",
  "notifications",
];

async function checkSchema(query: (sql: string) => Promise<{ rows: Record<string, unknown>[] }>) {
  const tables = (await query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).rows.map(
    (r) => r.tablename,
  );
  for (const t of TABLES) expect(tables).toContain(t);
  // Every table of SPEC.md notifies on change.
  const triggers = (
    await query(`SELECT event_object_table AS t FROM information_schema.triggers WHERE trigger_name LIKE '%_notify'`)
  ).rows.map((r) => r.t);
  for (const t of TABLES) expect(triggers, `${t} has a notify trigger`).toContain(t);
  // Full-text search gives the same matches and order on both engines (the
  // tsquery the feed service builds, see SEARCH_QUERY in feed.service.ts).
  await query(`INSERT INTO users (id, email, password_hash, name) VALUES
    ('00000000-0000-4000-8000-000000000001', 'fts@example.test', 'x', 'FTS')`);
  await query(`INSERT INTO projects (owner_id, title, description, tags, created_at) VALUES
    ('00000000-0000-4000-8000-000000000001', 'Postgres explorer', 'Browse tables', ARRAY['db'], now() - interval '3 hours'),
    ('00000000-0000-4000-8000-000000000001', 'Garden', 'Plants and C++ notes', ARRAY['postgres', 'hobby'], now() - interval '2 hours'),
    ('00000000-0000-4000-8000-000000000001', 'Lighthouse', 'A tool for POSTGRES search', ARRAY['tools'], now() - interval '1 hour')`);
  const search = async (words: string) =>
    (
      await query(
        `SELECT p.title FROM projects p,
                (SELECT NULLIF(regexp_replace(plainto_tsquery('simple', '${words}')::text, '''(\\s|$)', ''':*\\1', 'g'), '')::tsquery AS q) s
          WHERE p.search_document @@ s.q ORDER BY ts_rank(p.search_document, s.q) DESC, p.created_at DESC`,
      )
    ).rows.map((r) => r.title);
  expect(await search("postg")).toEqual(["Postgres explorer", "Garden", "Lighthouse"]);
  expect(await search("c++ garden")).toEqual(["Garden"]);
  expect(await search("& | ! :*")).toEqual([]);
  await query(`UPDATE projects SET title = 'Renamed' WHERE title = 'Postgres explorer'`);
  expect(await search("explorer")).toEqual([]);
  const recorded = (await query(`SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"`)).rows;
  expect(recorded.length).toBeGreaterThan(0);
  for (const r of recorded) {
    expect(r.finished_at).not.toBeNull();
    expect(String(r.checksum)).toMatch(/^[0-9a-f]{64}$/);
  }
}

describe("migrations", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it("apply once on PostgreSQL; a re-run applies nothing", async () => {
    const admin = new pg.Client({ connectionString: inject("adminDatabaseUrl") });
    await admin.connect();
    const name = `zs_test_${inject("testRun")}_migrate`;
    await admin.query(`CREATE DATABASE "${name}"`);
    cleanup.push(async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    });
    const url = new URL(inject("adminDatabaseUrl"));
    url.pathname = `/${name}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const raw = {
        query: (s: string, p?: unknown[]) => client.query(s, p as unknown[]),
        exec: (s: string) => client.query(s),
      };
      const first = await migrate(raw);
      expect(first.applied.length).toBeGreaterThan(0);
      const again = await migrate(raw);
      expect(again).toEqual({ applied: [], warnings: [] });
      await checkSchema((s) => client.query(s));
    } finally {
      await client.end();
    }
  });

  it("apply once on PGlite; a re-run applies nothing", async () => {
    const db = new PGlite("memory://");
    try {
      const raw = { query: (s: string, p?: unknown[]) => db.query(s, p) as never, exec: (s: string) => db.exec(s) };
      const first = await migrate(raw);
      expect(first.applied.length).toBeGreaterThan(0);
      expect(await migrate(raw)).toEqual({ applied: [], warnings: [] });
      await checkSchema((s) => db.query(s) as never);
    } finally {
      await db.close();
    }
  });
});
