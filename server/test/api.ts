/**
 * Assertions shared by the domain API tests: the SPEC error shape, reads as
 * several viewers (to warm and to check the shared cache), and table
 * checksums for "nothing was written".
 */
import { randomUUID } from "node:crypto";
import { ErrorBodySchema } from "@shared/errors";
import { TABLES as CATALOGUE_TABLES } from "@shared/realtime/events";
import type { FastifyInstance } from "fastify";
import type pg from "pg";
import { expect } from "vitest";
import { call, type TestUser } from "./helpers.js";

/** A reader: a signed-in user, or null for anonymous. */
export type Viewer = TestUser | null;

export const CACHE_MODES = ["cold", "warm"] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

/** A well-formed uuid that names nothing. */
export const unknownId = () => randomUUID();

/** Ids that are not uuids at all: in a URL they name nothing (404). */
export const MALFORMED_IDS = ["abc", "123", "00000000-0000-0000-0000-00000000000g", "null", "undefined", "%20"];

type Response = Awaited<ReturnType<typeof call>>;

/** GET `url` as `viewer` and return the parsed body, failing on anything but 200. */
export async function getJson(app: FastifyInstance, url: string, viewer: Viewer = null) {
  const res = await call(app, "GET", url, { token: viewer?.token });
  expect(res.statusCode, `GET ${url} as ${viewer?.name ?? "anonymous"}: ${res.body}`).toBe(200);
  return res.json();
}

/** Reads every url as every viewer, so that each shared cache entry they use is filled. */
export async function warm(app: FastifyInstance, urls: string[], viewers: Viewer[]) {
  for (const url of urls)
    for (const viewer of viewers) {
      const res = await call(app, "GET", url, { token: viewer?.token });
      expect(res.statusCode, `warming GET ${url}: ${res.body}`).toBeLessThan(500);
    }
}

/** Runs `check` on the body of `url` as read by each viewer. */
export async function expectEach(
  app: FastifyInstance,
  url: string,
  viewers: Viewer[],
  // biome-ignore lint/suspicious/noExplicitAny: a parsed JSON body, as `call(…).json()` returns it
  check: (body: any, viewer: Viewer) => void,
) {
  for (const viewer of viewers) check(await getJson(app, url, viewer), viewer);
}

/** Asserts the status and SPEC's error shape `{"error": {"code", "message", "details"?}}`. */
export function expectError(res: Response, status: number, code?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers["content-type"])).toMatch(/^application\/json/);
  const body = res.json();
  expect(ErrorBodySchema.strict().safeParse(body).success, res.body).toBe(true);
  expect(Object.keys(body)).toEqual(["error"]);
  expect(
    Object.keys(body.error).every((k) => ["code", "message", "details"].includes(k)),
    res.body,
  ).toBe(true);
  expect(body.error.message.length).toBeGreaterThan(0);
  if (code) expect(body.error.code).toBe(code);
  return body.error as { code: string; message: string; details?: { path: string; message: string }[] };
}

/** A 400 VALIDATION_ERROR whose details name `path` (when given). */
export function expectInvalid(res: Response, path?: string) {
  const err = expectError(res, 400, "VALIDATION_ERROR");
  expect(Array.isArray(err.details), res.body).toBe(true);
  if (path !== undefined)
    expect(
      err.details!.map((d) => d.path),
      res.body,
    ).toContain(path);
  return err;
}

/** Every table of the data model, plus sessions. */
export const TABLES = [...CATALOGUE_TABLES, "sessions"] as const;

/** Row count and a checksum of the content of every table (equal ⇒ nothing was written). */
export async function checksum(sql: pg.Client): Promise<Record<string, string>> {
  const cols = TABLES.map(
    (t) =>
      `(SELECT count(*)::text || ':' || COALESCE(md5(string_agg(x::text, '|' ORDER BY x::text)), '-') FROM "${t}" x) AS "${t}"`,
  );
  const res = await sql.query(`SELECT ${cols.join(", ")}`);
  return res.rows[0];
}

export async function count(sql: pg.Client, table: string, where = "TRUE", params: unknown[] = []) {
  const res = await sql.query(`SELECT count(*)::int AS n FROM "${table}" WHERE ${where}`, params);
  return res.rows[0].n as number;
}

/**
 * Writes directly, marked as the API's own transaction so that no trigger
 * notifies the app: the cache is not told. Used to prove a read is served from
 * the cache (it must then show the old value).
 */
export async function writeBehindTheCache(sql: pg.Client, query: string, params: unknown[] = []) {
  await sql.query("BEGIN");
  try {
    await sql.query("SELECT set_config('zerostale.origin', 'app', true)");
    await sql.query(query, params);
    await sql.query("COMMIT");
  } catch (err) {
    await sql.query("ROLLBACK");
    throw err;
  }
}

/** Recursively lists every key of a JSON value (to look for fields that must never appear). */
export function keysOf(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysOf(v, out);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      keysOf(v, out);
    }
  return out;
}
