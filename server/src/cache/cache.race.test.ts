/**
 * The classic fill/invalidate race, reproduced step by step: a reader loads
 * from the database before a write commits, the write commits and invalidates,
 * then the reader stores what it loaded. A naive cache (plain key, delete on
 * invalidate) serves that old value from then on; ours does not.
 */
import { R } from "@shared/realtime/resources";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeBehindTheCache } from "../../test/api.js";
import { testApp } from "../../test/fixture.js";
import { createProject, signup } from "../../test/helpers.js";

const ctx = testApp();
let projectId: string;
let redis: Redis;

beforeAll(async () => {
  projectId = (await createProject(ctx.app, await signup(ctx.app), { title: "old" })).id;
  redis = new Redis(ctx.config.redisUrl!);
});
afterAll(() => redis.disconnect());

const readTitle = async () =>
  JSON.stringify((await ctx.sql.query("SELECT title FROM projects WHERE id = $1", [projectId])).rows[0].title);

/** A write as the API makes it: marked as the app's own (no NOTIFY), committed, then invalidated. */
async function writeTitle(title: string, invalidate: () => Promise<unknown>) {
  await writeBehindTheCache(ctx.sql, "UPDATE projects SET title = $2 WHERE id = $1", [projectId, title]);
  await invalidate();
}

/** A loader that reads the database now but hands its result back only when released. */
function slowLoader() {
  let release!: () => void;
  let loaded!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const didLoad = new Promise<void>((r) => (loaded = r));
  const load = async () => {
    const v = await readTitle();
    loaded();
    await gate;
    return v;
  };
  return { load, didLoad, release };
}

it("a naive cache serves the old value after the write (the race is real)", async () => {
  const key = `${ctx.config.redisKeyPrefix}naive:${projectId}`;
  const naiveRead = async (load: () => Promise<string>) => {
    const hit = await redis.get(key);
    if (hit !== null) return hit;
    const v = await load();
    await redis.set(key, v);
    return v;
  };
  await writeTitle("old", () => redis.del(key));
  const slow = slowLoader();
  const reader = naiveRead(slow.load);
  await slow.didLoad; // the reader has the old value in hand
  await writeTitle("new", () => redis.del(key)); // commit, then invalidate
  slow.release(); // the reader stores the old value now
  expect(await reader).toBe('"old"');
  expect(await naiveRead(readTitle)).toBe('"old"'); // stale, and it stays stale
});

it("the generation-tagged cache never serves the old value after the write's invalidation", async () => {
  const cache = ctx.app.cache;
  const name = `race:${projectId}`;
  const tags = [R.project(projectId)];
  await writeTitle("old", () => cache.invalidate(tags));
  const slow = slowLoader();
  const reader = cache.read(name, tags, slow.load);
  await slow.didLoad;
  await writeTitle("new", () => cache.invalidate(tags));
  slow.release();
  expect(await reader).toBe('"old"'); // it started before the write; its own answer may be old
  // Everything that starts after the write's invalidation sees the new value, cached or not.
  expect(await cache.read(name, tags, readTitle)).toBe('"new"');
  expect(await cache.read(name, tags, () => Promise.reject(new Error("should be cached")))).toBe('"new"');
});

it("the same holds for the real project page through HTTP", async () => {
  const detail = async () => (await ctx.app.inject({ method: "GET", url: `/api/projects/${projectId}` })).json();
  expect((await detail()).title).toBe("new");
  // A slow reader of the page's own cache entry, started on a cold entry, stores
  // a stale page after the write: it lands under a generation nobody reads any more.
  await ctx.app.cache.invalidate([R.project(projectId)]);
  const slow = slowLoader();
  const reader = ctx.app.cache.read(`project:${projectId}`, [R.project(projectId)], async () => {
    await slow.load();
    return JSON.stringify({ title: "old and wrong" });
  });
  await slow.didLoad;
  await writeTitle("newest", () => ctx.app.cache.invalidate([R.project(projectId)]));
  slow.release();
  await reader;
  expect((await detail()).title).toBe("newest");
});
