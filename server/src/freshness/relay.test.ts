/**
 * A Redis link's recovery (ADR 014) completes the outbox rows that were due
 * before it began, then lets the link be trusted: under a steady stream of new
 * changes it must still end (it used to wait for a moment with no row due at
 * all, ~10 s after a 3 s stall in the bench's crash scenario).
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupApp, type TestContext, waitFor } from "../../test/helpers.js";

let ctx: TestContext;
let other: TestContext;

beforeAll(async () => {
  ctx = await setupApp();
  other = await setupApp({ share: ctx });
});
afterAll(async () => {
  await other?.close();
  await ctx?.close();
});

/** An outbox row of the app's shape with nothing to do, due at once (as a handed-over change is). */
const insertDue = (n = 1) =>
  ctx.sql.query(
    `INSERT INTO zerostale_outbox (kind, body, ready_at)
     SELECT 'app', '{"ctx": {}, "events": [], "touched": []}'::jsonb, now() FROM generate_series(1, $1::int)`,
    [n],
  );
const left = async (before: Date) =>
  Number(
    (await ctx.sql.query("SELECT count(*)::int AS n FROM zerostale_outbox WHERE created_at <= $1", [before])).rows[0].n,
  );

/**
 * Makes a row that comes due in a second and holds it locked in a session of its own until `release`
 * (as a busy relay holds its claim; locked before it is due, so no relay claims it first).
 */
async function holdDueRow() {
  const c = new pg.Client({ connectionString: ctx.db.url });
  await c.connect();
  const id = (
    await c.query(
      `INSERT INTO zerostale_outbox (kind, body, ready_at)
       VALUES ('app', '{"ctx": {}, "events": [], "touched": []}'::jsonb, now() + interval '1 second') RETURNING id`,
    )
  ).rows[0].id;
  await c.query("BEGIN");
  expect((await c.query("SELECT 1 FROM zerostale_outbox WHERE id = $1 FOR UPDATE", [id])).rowCount).toBe(1);
  await new Promise((r) => setTimeout(r, 1100));
  let released = false;
  return {
    get held() {
      return !released;
    },
    async release() {
      if (released) return;
      released = true;
      await c.query("COMMIT");
      await c.end();
    },
  };
}

describe("a forced drain (a Redis link's recovery)", () => {
  it("completes every row due when it began (waiting for rows others hold), not those that came due later", async () => {
    await insertDue(200);
    // Due before the drain begins, held for a while: the drain must wait for it.
    const early = await holdDueRow();
    const began = new Date();
    let done = false;
    const drained = ctx.app.relay.drain({ force: true }).then(() => {
      done = true;
    });
    // Made after it began (due a second later) and held: a change of later (its writer's and the relays').
    await new Promise((r) => setTimeout(r, 300));
    const late = await holdDueRow();
    try {
      expect(done, "waits for the early row").toBe(false);
      await early.release();
      await Promise.race([drained, new Promise((r) => setTimeout(r, 15_000))]);
      expect(done, "returns while the late row is still held").toBe(true);
      expect(late.held).toBe(true);
      // Nothing created before it began is left, whoever completed it (this instance's relay runs too).
      expect(await left(new Date(began.getTime() - 1))).toBe(0);
    } finally {
      await early.release();
      await late.release();
      await drained;
    }
  });
});

describe("relays sharing a bulk write from outside the API", () => {
  it("complete it without deadlocking on each other's claims", async () => {
    // One transaction's 4,000 changes (a bulk UPDATE, say), due in a moment: more than one relay's claim.
    await ctx.sql.query(
      `INSERT INTO zerostale_outbox (kind, body, ready_at)
       SELECT 'external', jsonb_build_object('txid', 'bulk-1', 'table', 'projects', 'action', 'update',
                'id', gen_random_uuid()::text, 'projectId', NULL, 'userIds', '[]'::jsonb), now() + interval '500 milliseconds'
         FROM generate_series(1, 4000)`,
    );
    await new Promise((r) => setTimeout(r, 600));
    // Both instances' relays at once (their own loops run too): each claims its share and drops the rest.
    const results = await Promise.allSettled([
      ctx.app.relay.drain({ force: false }),
      other.app.relay.drain({ force: false }),
      ctx.app.relay.drain({ force: false }),
      other.app.relay.drain({ force: false }),
    ]);
    expect(
      results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason)),
    ).toEqual([]);
    await waitFor(
      async () => Number((await ctx.sql.query("SELECT count(*)::int AS n FROM zerostale_outbox")).rows[0].n) === 0,
      10_000,
      "the outbox emptied",
    );
  });
});
