/**
 * DATABASE_DIRECT_URL: behind a transaction pooler the app keeps its LISTEN
 * sessions on a direct connection (docs/scaling.md). Here both URLs reach the
 * same PostgreSQL; the direct one is told apart by its application_name.
 */
import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { testApp } from "../../test/fixture.js";
import { call, createProject, signup, waitFor } from "../../test/helpers.js";
import { loadConfig } from "../config/env.js";

const name = `zs-direct-${randomUUID().slice(0, 8)}`;
const probe = testApp();
// A second app on the same database, its listener on the "direct" URL.
const ctx = testApp(() => ({
  share: probe,
  config: { databaseDirectUrl: `${probe.db.url}?application_name=${name}` },
}));

it("parses DATABASE_DIRECT_URL", () => {
  const c = loadConfig({ DATABASE_DIRECT_URL: "postgresql://u@10.0.0.1:5432/db" });
  expect(c.databaseDirectUrl).toBe("postgresql://u@10.0.0.1:5432/db");
  expect(() => loadConfig({ DATABASE_DIRECT_URL: "http://x" })).toThrow(/DATABASE_DIRECT_URL/);
});

it("LISTENs on the direct connection, and writes from outside the API still arrive through it", async () => {
  const listening = await ctx.sql.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'`,
    [name],
  );
  expect(listening.rows[0].n).toBeGreaterThanOrEqual(1);
  const owner = await signup(ctx.app);
  const project = await createProject(ctx.app, owner, { title: "Before" });
  expect((await call(ctx.app, "GET", `/api/projects/${project.id}`)).json().title).toBe("Before"); // cached
  await ctx.sql.query(`UPDATE projects SET title = 'From psql' WHERE id = $1`, [project.id]);
  await waitFor(
    async () => (await call(ctx.app, "GET", `/api/projects/${project.id}`)).json().title === "From psql",
    5000,
    "the external write to reach the cache through the direct listener",
  );
});
