/**
 * Machine checks for the two steps of adding a resource that would otherwise fail
 * nowhere: the table's arm in the pg_notify trigger function, and its rooms
 * covering what its events affect (SPEC "Writes from outside the API", gap repair).
 */
import { TABLES } from "@shared/realtime/events";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../test/helpers.js";

let db: Awaited<ReturnType<typeof createDatabase>>;
let sql: pg.Client;
beforeAll(async () => {
  db = await createDatabase(); // cloned from the template every migration has been applied to
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

describe("every table in the catalogue reaches clients when written from outside the API", () => {
  it("has an arm in the current zerostale_notify() and a row trigger that calls it", async () => {
    const fn = await sql.query<{ def: string }>("SELECT pg_get_functiondef('zerostale_notify'::regproc) AS def");
    const def = fn.rows[0]!.def;
    const arms = [...def.matchAll(/WHEN\s+'(\w+)'\s+THEN/g)].map((m) => m[1]);
    const triggers = await sql.query<{ table: string; events: string }>(
      `SELECT c.relname AS table, t.tgtype::int AS events
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE p.proname = 'zerostale_notify' AND NOT t.tgisinternal`,
    );
    const byTable = new Map(triggers.rows.map((r) => [r.table, Number(r.events)]));
    for (const table of TABLES) {
      expect(arms, `zerostale_notify has a WHEN '${table}' arm`).toContain(table);
      const type = byTable.get(table);
      expect(type, `${table} has a trigger calling zerostale_notify`).toBeDefined();
      // tgtype bits: 1 row-level, 4 insert, 8 delete, 16 update.
      expect(type! & (1 | 4 | 8 | 16), `${table}'s trigger fires per row on insert, update and delete`).toBe(29);
    }
  });
});
