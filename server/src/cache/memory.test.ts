/**
 * Redis memory tracks live data, not writes × TTL: an entry superseded by a
 * newer generation is deleted when its successor is stored. Also records what
 * a project-detail entry holds (its size grows with the project's comments).
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { testApp } from "../../test/fixture.js";
import { call, createProject, signup } from "../../test/helpers.js";

const ctx = testApp();
let redis: Redis;
beforeAll(() => {
  redis = new Redis(ctx.config.redisUrl!);
});
afterAll(() => redis.disconnect());

async function keysUnder(pattern: string) {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== "0");
  return keys;
}
async function bytesOf(keys: string[]) {
  let total = 0;
  for (const k of keys) total += Number((await redis.call("MEMORY", "USAGE", k)) ?? 0);
  return total;
}

it("many writes and reads of a few projects leave one entry per name, not one per write", async () => {
  const owner = await signup(ctx.app);
  const projects = await Promise.all([1, 2, 3].map(() => createProject(ctx.app, owner)));
  const prefix = ctx.config.redisKeyPrefix;
  const rounds = 60;
  for (let i = 0; i < rounds; i++) {
    for (const p of projects) {
      await call(ctx.app, "PATCH", `/api/projects/${p.id}`, { token: owner.token, body: { title: `t${i}` } });
      expect((await call(ctx.app, "GET", `/api/projects/${p.id}`)).json().title).toBe(`t${i}`);
    }
    await call(ctx.app, "GET", "/api/projects?sort=newest");
  }
  const detailKeys = (await keysUnder(`${prefix}c:project:*`)).filter((k) => !k.endsWith("|^"));
  // One live entry per project (a refill in flight may briefly add one more), after 180 writes.
  expect(detailKeys.length).toBeLessThanOrEqual(projects.length * 2);
  const all = (await keysUnder(`${prefix}c:*`)).filter((k) => !k.endsWith(":lease"));
  const entries = all.filter((k) => !k.endsWith("|^"));
  // Everything cached is bounded by the names read (projects, feed pages, summaries, leaderboards), not by writes.
  expect(entries.length).toBeLessThan(40);
  const bytes = await bytesOf(all);
  console.log(`after ${rounds * projects.length} writes: ${entries.length} entries, ${bytes} bytes under c:`);
});

it("a project-detail entry's size is its comments (no paging): measured", async () => {
  const owner = await signup(ctx.app);
  const { id } = await createProject(ctx.app, owner);
  const sizes: Record<number, number> = {};
  for (const n of [0, 50, 200]) {
    const have = (await call(ctx.app, "GET", `/api/projects/${id}`)).json().comments.length;
    for (let i = have; i < n; i++)
      await call(ctx.app, "POST", `/api/projects/${id}/comments`, {
        token: owner.token,
        body: { body: "A thoughtful comment of a realistic length, saying something about the project." },
      });
    sizes[n] = (await call(ctx.app, "GET", `/api/projects/${id}`)).body.length;
  }
  console.log("project-detail entry bytes by comment count:", sizes);
  expect(sizes[200]!).toBeGreaterThan(sizes[0]! * 10);
});

it("generation keys and room counters expire a week after their last use, so Redis does not keep every session and room ever seen", async () => {
  const owner = await signup(ctx.app);
  const { id } = await createProject(ctx.app, owner);
  await call(ctx.app, "GET", `/api/projects/${id}`, { token: owner.token });
  await call(ctx.app, "POST", `/api/projects/${id}/upvote`, { token: owner.token });
  await call(ctx.app, "POST", "/api/auth/logout", { token: owner.token });
  const prefix = ctx.config.redisKeyPrefix;
  const generations = await keysUnder(`${prefix}g:*`);
  const counters = await keysUnder(`${prefix}s:*`);
  // Those of this test: its session, its user, its project.
  for (const tag of [`profile:${owner.id}`, `project:${id}`])
    expect(generations.some((k) => k.endsWith(`g:${tag}`))).toBe(true);
  expect(counters.some((k) => k.endsWith(`s:project:${id}`))).toBe(true);
  const week = 7 * 24 * 3600;
  for (const key of [...generations, ...counters]) {
    const ttl = await redis.ttl(key);
    expect(ttl, key).toBeGreaterThan(week - 60);
    expect(ttl, key).toBeLessThanOrEqual(week);
  }
});
