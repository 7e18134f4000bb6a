import { describe, expect, it } from "vitest";
import {
  CACHE_MODES,
  checksum,
  count,
  expectError,
  getJson,
  MALFORMED_IDS,
  unknownId,
  warm,
} from "../../../test/api.js";
import { testApp } from "../../../test/fixture.js";
import { call, createProject, signup, type TestContext, type TestUser } from "../../../test/helpers.js";

const a = testApp();
/** A second instance on the same database and Redis (a warmed cache there must not serve the old value). */
const b = testApp({ share: a });

const follow = (ctx: TestContext, who: TestUser, id: string) =>
  call(ctx.app, "POST", `/api/users/${id}/follow`, { token: who.token });
const unfollow = (ctx: TestContext, who: TestUser, id: string) =>
  call(ctx.app, "DELETE", `/api/users/${id}/follow`, { token: who.token });

describe("POST/DELETE /api/users/:id/follow", () => {
  it("follows and unfollows, idempotently, with the follower count", async () => {
    const [fan, maker] = [await signup(a.app), await signup(a.app)];
    const first = await follow(a, fan, maker.id);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ followerId: fan.id, followeeId: maker.id, following: true, followers: 1 });
    expect(first.headers["cache-control"]).toBe("no-store");
    const again = await follow(a, fan, maker.id);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ following: true, followers: 1 });
    expect(await count(a.sql, "follows", "followee_id = $1", [maker.id])).toBe(1);
    // One notification, however often the follow is repeated.
    expect(await count(a.sql, "notifications", "user_id = $1 AND kind = 'follow'", [maker.id])).toBe(1);

    const off = await unfollow(a, fan, maker.id);
    expect(off.statusCode).toBe(200);
    expect(off.json()).toEqual({ followerId: fan.id, followeeId: maker.id, following: false, followers: 0 });
    expect((await unfollow(a, fan, maker.id)).json()).toMatchObject({ following: false, followers: 0 });
    expect(await count(a.sql, "follows", "followee_id = $1", [maker.id])).toBe(0);
  });

  it("refuses following yourself (400), unknown or malformed users (404), anonymous (401); writes nothing", async () => {
    const me = await signup(a.app);
    const before = await checksum(a.sql);
    expectError(await follow(a, me, me.id), 400, "VALIDATION_ERROR");
    expectError(await unfollow(a, me, me.id), 400, "VALIDATION_ERROR");
    expectError(await follow(a, me, unknownId()), 404, "NOT_FOUND");
    expectError(await unfollow(a, me, unknownId()), 404, "NOT_FOUND");
    for (const bad of MALFORMED_IDS) expectError(await follow(a, me, bad), 404);
    expectError(await call(a.app, "POST", `/api/users/${me.id}/follow`), 401, "UNAUTHORIZED");
    expectError(await call(a.app, "DELETE", `/api/users/${me.id}/follow`), 401, "UNAUTHORIZED");
    expect(await checksum(a.sql)).toEqual(before);
  });
});

describe("GET /api/users/:id: followers, following, followedByMe", () => {
  for (const mode of CACHE_MODES)
    it(`shows a follow and an unfollow at once, on both instances (${mode} cache)`, async () => {
      const [fan, maker, stranger] = [await signup(a.app), await signup(a.app), await signup(a.app)];
      const urls = [`/api/users/${maker.id}`, `/api/users/${fan.id}`];
      if (mode === "warm") for (const ctx of [a, b]) await warm(ctx.app, urls, [null, fan, stranger]);
      expect((await follow(a, fan, maker.id)).statusCode).toBe(200);
      for (const ctx of [a, b]) {
        expect(await getJson(ctx.app, urls[0]!, fan)).toMatchObject({ followers: 1, following: 0, followedByMe: true });
        expect(await getJson(ctx.app, urls[0]!, stranger)).toMatchObject({ followers: 1, followedByMe: false });
        expect(await getJson(ctx.app, urls[0]!, null)).toMatchObject({ followers: 1, followedByMe: false });
        expect(await getJson(ctx.app, urls[1]!, null)).toMatchObject({ followers: 0, following: 1 });
      }
      expect((await unfollow(b, fan, maker.id)).statusCode).toBe(200);
      for (const ctx of [a, b]) {
        expect(await getJson(ctx.app, urls[0]!, fan)).toMatchObject({ followers: 0, followedByMe: false });
        expect(await getJson(ctx.app, urls[1]!, null)).toMatchObject({ following: 0 });
      }
    });

  it("tells the caller about themselves only with no-store", async () => {
    const u = await signup(a.app);
    const mine = await call(a.app, "GET", `/api/users/${u.id}`, { token: u.token });
    expect(mine.headers["cache-control"]).toBe("no-store");
    expect(mine.json().followedByMe).toBe(false);
  });
});

describe("GET /api/projects?following=true", () => {
  it("answers 401 to anonymous callers", async () => {
    expectError(await call(a.app, "GET", "/api/projects?following=true"), 401, "UNAUTHORIZED");
  });

  for (const mode of CACHE_MODES)
    it(`shows only followed makers' projects, fresh after a post, an edit, a delete and a follow (${mode} cache)`, async () => {
      const [fan, maker, other, later] = [
        await signup(a.app),
        await signup(a.app),
        await signup(a.app),
        await signup(a.app),
      ];
      await createProject(a.app, other, { title: "Not followed" });
      await follow(a, fan, maker.id);
      const url = "/api/projects?following=true&sort=newest";
      const titles = async (ctx: TestContext) =>
        (await getJson(ctx.app, url, fan)).items.map((p: { title: string }) => p.title);
      if (mode === "warm") for (const ctx of [a, b]) expect(await titles(ctx)).toEqual([]);

      const p = await createProject(a.app, maker, { title: "First post" });
      for (const ctx of [a, b]) expect(await titles(ctx)).toEqual(["First post"]);
      await call(b.app, "PATCH", `/api/projects/${p.id}`, { token: maker.token, body: { title: "Renamed post" } });
      for (const ctx of [a, b]) expect(await titles(ctx)).toEqual(["Renamed post"]);

      await createProject(a.app, later, { title: "Later maker" });
      for (const ctx of [a, b]) expect(await titles(ctx)).toEqual(["Renamed post"]);
      await follow(b, fan, later.id);
      for (const ctx of [a, b]) expect(await titles(ctx)).toEqual(["Later maker", "Renamed post"]);
      const page = await getJson(a.app, url, fan);
      expect(page).toMatchObject({ total: 2, page: 1 });

      await call(a.app, "DELETE", `/api/projects/${p.id}`, { token: maker.token });
      for (const ctx of [a, b]) expect(await titles(ctx)).toEqual(["Later maker"]);
      await unfollow(a, fan, later.id);
      for (const ctx of [a, b]) expect(await titles(ctx)).toEqual([]);
    });

  it("orders by votes (top) and pages, and combines with tag and q", async () => {
    const [fan, maker, voter] = [await signup(a.app), await signup(a.app), await signup(a.app)];
    await follow(a, fan, maker.id);
    const low = await createProject(a.app, maker, { title: "Low rust", tags: ["rust"] });
    const high = await createProject(a.app, maker, { title: "High go", tags: ["go"] });
    const url = "/api/projects?following=true&sort=top";
    await getJson(b.app, url, fan); // warm
    await call(a.app, "POST", `/api/projects/${high.id}/upvote`, { token: voter.token });
    const top = await getJson(b.app, url, fan);
    expect(top.items.map((p: { id: string }) => p.id)).toEqual([high.id, low.id]);
    const second = await getJson(b.app, `${url}&pageSize=1&page=2`, fan);
    expect(second).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(second.items.map((p: { id: string }) => p.id)).toEqual([low.id]);
    const tagged = await getJson(a.app, "/api/projects?following=true&tag=rust", fan);
    expect(tagged.items.map((p: { id: string }) => p.id)).toEqual([low.id]);
    const searched = await getJson(a.app, "/api/projects?following=true&q=high", fan);
    expect(searched.items.map((p: { id: string }) => p.id)).toEqual([high.id]);
  });
});
