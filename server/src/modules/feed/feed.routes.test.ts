import { beforeAll, describe, expect, it } from "vitest";
import { CACHE_MODES, expectEach, expectInvalid, getJson, type Viewer, warm } from "../../../test/api.js";
import { testApp } from "../../../test/fixture.js";
import { call, createProject, signup, type TestUser } from "../../../test/helpers.js";

const ctx = testApp();
let makers: TestUser[];
let voters: TestUser[];
/** Three projects whose order differs per sort: see the trending formula in feed.service.ts. */
let old: { id: string };
let mid: { id: string };
let fresh: { id: string };

const ids = (items: { id: string }[]) => items.map((i) => i.id);

beforeAll(async () => {
  makers = [await signup(ctx.app, { name: "Maker A" }), await signup(ctx.app, { name: "Maker B" })];
  voters = [];
  for (let i = 0; i < 5; i++) voters.push(await signup(ctx.app, { name: `Voter ${i}` }));
  old = await createProject(ctx.app, makers[0]!, { title: "Old and loved" });
  mid = await createProject(ctx.app, makers[1]!, { title: "Middle" });
  fresh = await createProject(ctx.app, makers[1]!, { title: "Brand new" });
  // Ages set before anything is read (no cache entry exists yet).
  await ctx.sql.query("UPDATE projects SET created_at = now() - interval '48 hours' WHERE id = $1", [old.id]);
  await ctx.sql.query("UPDATE projects SET created_at = now() - interval '10 hours' WHERE id = $1", [mid.id]);
  // Scores: old 5, mid 3, fresh 1.
  for (const [p, n] of [
    [old, 5],
    [mid, 3],
    [fresh, 1],
  ] as const)
    for (const v of voters.slice(0, n)) await call(ctx.app, "POST", `/api/projects/${p.id}/upvote`, { token: v.token });
});

describe("GET /api/projects sorts", () => {
  it("newest: by creation time, newest first", async () => {
    expect(ids((await getJson(ctx.app, "/api/projects?sort=newest")).items)).toEqual([fresh.id, mid.id, old.id]);
  });

  it("top: by score", async () => {
    const feed = await getJson(ctx.app, "/api/projects?sort=top");
    expect(ids(feed.items)).toEqual([old.id, mid.id, fresh.id]);
    expect(feed.items.map((i: { score: number }) => i.score)).toEqual([5, 3, 1]);
  });

  it("trending: score decayed by age, so a fresh project beats an older, higher-scored one", async () => {
    expect(ids((await getJson(ctx.app, "/api/projects?sort=trending")).items)).toEqual([fresh.id, mid.id, old.id]);
  });

  it("defaults to trending, page 1, 20 per page", async () => {
    const feed = await getJson(ctx.app, "/api/projects");
    expect(feed).toMatchObject({ page: 1, pageSize: 20, total: 3 });
    expect(ids(feed.items)).toEqual([fresh.id, mid.id, old.id]);
  });

  it("returns project summaries with owner, counts and badges, for anyone", async () => {
    for (const v of [null, voters[0]!]) {
      const item = (await getJson(ctx.app, "/api/projects?sort=top", v)).items[0];
      expect(item).toMatchObject({
        id: old.id,
        title: "Old and loved",
        score: 5,
        upvotes: 5,
        downvotes: 0,
        commentCount: 0,
        featured: false,
        badges: [],
        owner: { id: makers[0]!.id, name: "Maker A", avatarUrl: null },
      });
    }
  });

  it.each(CACHE_MODES)("re-ranks after votes (%s cache)", async (mode) => {
    const viewers: Viewer[] = [null, voters[0]!, makers[1]!];
    const urls = ["/api/projects?sort=top", "/api/projects?sort=trending", "/api/projects?sort=newest"];
    if (mode === "warm") await warm(ctx.app, urls, viewers);
    // Push mid to the top by score: 3 → 5 plus two downvotes on old (5 → 1).
    await call(ctx.app, "POST", `/api/projects/${mid.id}/upvote`, { token: makers[0]!.token });
    await call(ctx.app, "POST", `/api/projects/${mid.id}/upvote`, { token: voters[4]!.token });
    for (const v of voters.slice(0, 2))
      await call(ctx.app, "POST", `/api/projects/${old.id}/downvote`, { token: v.token });
    await expectEach(ctx.app, "/api/projects?sort=top", viewers, (f) => {
      expect(ids(f.items)).toEqual([mid.id, fresh.id, old.id]);
      expect(f.items.map((i: { score: number }) => i.score)).toEqual([5, 1, 1]);
    });
    // Put everything back for the next case.
    await call(ctx.app, "DELETE", `/api/projects/${mid.id}/vote`, { token: makers[0]!.token });
    await call(ctx.app, "DELETE", `/api/projects/${mid.id}/vote`, { token: voters[4]!.token });
    for (const v of voters.slice(0, 2))
      await call(ctx.app, "POST", `/api/projects/${old.id}/upvote`, { token: v.token });
    await expectEach(ctx.app, "/api/projects?sort=top", viewers, (f) =>
      expect(ids(f.items)).toEqual([old.id, mid.id, fresh.id]),
    );
  });
});

describe("GET /api/projects pagination", () => {
  let all: string[];
  beforeAll(async () => {
    for (let i = 0; i < 22; i++) await createProject(ctx.app, makers[i % 2]!, { title: `Filler ${i}` });
    all = (await ctx.sql.query("SELECT id::text FROM projects ORDER BY created_at DESC, id DESC")).rows.map(
      (r) => r.id,
    );
    expect(all).toHaveLength(25);
  });

  it("pages through every project exactly once, with the total", async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 7; page++) {
      const feed = await getJson(ctx.app, `/api/projects?sort=newest&page=${page}&pageSize=4`);
      expect(feed).toMatchObject({ page, pageSize: 4, total: 25 });
      expect(feed.items.length).toBe(page < 7 ? 4 : 1);
      seen.push(...ids(feed.items));
    }
    expect(seen).toEqual(all);
    for (const sort of ["top", "trending"]) {
      const pages = [];
      for (let page = 1; page <= 3; page++)
        pages.push(...ids((await getJson(ctx.app, `/api/projects?sort=${sort}&page=${page}&pageSize=10`)).items));
      expect(new Set(pages).size).toBe(25);
    }
  });

  it("answers an empty page past the end, still with the total", async () => {
    const feed = await getJson(ctx.app, "/api/projects?sort=newest&page=8&pageSize=4");
    expect(feed).toMatchObject({ items: [], page: 8, pageSize: 4, total: 25 });
    expect((await getJson(ctx.app, "/api/projects?page=10000&pageSize=100")).items).toEqual([]);
  });

  it("accepts pageSize 1 and 100", async () => {
    expect((await getJson(ctx.app, "/api/projects?pageSize=1")).items).toHaveLength(1);
    expect((await getJson(ctx.app, "/api/projects?pageSize=100")).items).toHaveLength(25);
  });

  it.each(CACHE_MODES)("shifts pages and the total after a create and a delete (%s cache)", async (mode) => {
    const url = (page: number) => `/api/projects?sort=newest&page=${page}&pageSize=5`;
    if (mode === "warm") await warm(ctx.app, [url(1), url(2)], [null, voters[0]!]);
    const before1 = ids((await getJson(ctx.app, url(1))).items);
    const p = await createProject(ctx.app, makers[0]!, { title: `Shift ${mode}` });
    for (const v of [null, voters[0]!]) {
      const page1 = await getJson(ctx.app, url(1), v);
      const page2 = await getJson(ctx.app, url(2), v);
      expect(ids(page1.items)).toEqual([p.id, ...before1.slice(0, 4)]);
      expect(ids(page2.items)[0]).toBe(before1[4]);
      expect(page1.total).toBe(page2.total);
    }
    const total = (await getJson(ctx.app, url(1))).total;
    await call(ctx.app, "DELETE", `/api/projects/${p.id}`, { token: makers[0]!.token });
    for (const v of [null, voters[0]!]) {
      const page1 = await getJson(ctx.app, url(1), v);
      expect(ids(page1.items)).toEqual(before1);
      expect(page1.total).toBe(total - 1);
    }
  });

  it.each(
    [
      "sort=best",
      "sort=",
      "sort=TOP",
      "sort=top&sort=newest",
      "page=0",
      "page=-1",
      "page=1.5",
      "page=abc",
      "page=",
      "page=10001",
      "page=99999999999999999999999",
      "page=1&page=2",
      "pageSize=0",
      "pageSize=101",
      "pageSize=abc",
      "pageSize=-5",
      "pageSize=1e9",
      `sort=${"x".repeat(100_000)}`,
    ].map((q) => [q.length > 40 ? `${q.slice(0, 12)}… (${q.length} chars)` : q, q]),
  )("rejects ?%s with 400", async (_label, query) => {
    const res = await call(ctx.app, "GET", `/api/projects?${query}`);
    expectInvalid(res);
    expect(res.json().error.message).toMatch(/sort|page|pageSize/);
  });

  it("ignores unknown query parameters", async () => {
    expect((await getJson(ctx.app, "/api/projects?sort=top&utm_source=x&foo[bar]=1")).items[0].id).toBe(old.id);
  });
});

describe("GET /api/leaderboard", () => {
  it("ranks the top 10 projects by score and the makers by total score", async () => {
    const board = await getJson(ctx.app, "/api/leaderboard");
    expect(Object.keys(board).sort()).toEqual(["makers", "projects"]);
    expect(board.projects).toHaveLength(10);
    expect(board.projects.map((e: { rank: number }) => e.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(board.projects.slice(0, 3).map((e: { project: { id: string } }) => e.project.id)).toEqual([
      old.id,
      mid.id,
      fresh.id,
    ]);
    const scores = board.projects.map((e: { project: { score: number } }) => e.project.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const expected = (
      await ctx.sql.query(
        `SELECT u.id::text, count(p.id)::int AS "projectCount", sum(p.score)::int AS "totalScore"
           FROM users u JOIN projects p ON p.owner_id = u.id GROUP BY u.id ORDER BY 3 DESC`,
      )
    ).rows;
    expect(
      board.makers.map((m: { rank: number; user: { id: string }; projectCount: number; totalScore: number }) => ({
        id: m.user.id,
        projectCount: m.projectCount,
        totalScore: m.totalScore,
      })),
    ).toEqual(expected);
    expect(board.makers.map((m: { rank: number }) => m.rank)).toEqual(expected.map((_, i) => i + 1));
    expect(board.makers[0].user).toEqual({ id: makers[0]!.id, name: "Maker A", avatarUrl: null });
  });

  it.each(CACHE_MODES)("moves makers and projects with votes, for everyone (%s cache)", async (mode) => {
    const viewers: Viewer[] = [null, voters[0]!, makers[1]!];
    if (mode === "warm") await warm(ctx.app, ["/api/leaderboard"], viewers);
    // Maker B's "fresh" goes from 1 to -5 (one vote switched, four new): Maker B's total drops by 6.
    const before = await getJson(ctx.app, "/api/leaderboard");
    const totalOf = (b: { makers: { user: { id: string }; totalScore: number }[] }) =>
      b.makers.find((m) => m.user.id === makers[1]!.id)?.totalScore;
    const bBefore = totalOf(before)!;
    for (const v of voters) await call(ctx.app, "POST", `/api/projects/${fresh.id}/downvote`, { token: v.token });
    await expectEach(ctx.app, "/api/leaderboard", viewers, (b) => {
      expect(totalOf(b)).toBe(bBefore - 6);
      expect(b.projects.find((e: { project: { id: string } }) => e.project.id === fresh.id)).toBeUndefined();
    });
    for (const v of voters) await call(ctx.app, "DELETE", `/api/projects/${fresh.id}/vote`, { token: v.token });
    await call(ctx.app, "POST", `/api/projects/${fresh.id}/upvote`, { token: voters[0]!.token });
    await expectEach(ctx.app, "/api/leaderboard", viewers, (b) => {
      expect(totalOf(b)).toBe(bBefore);
      expect(b.projects[2].project.id).toBe(fresh.id);
    });
  });
});

describe("a project created in the future (an outside write, clock skew)", () => {
  it("counts as brand new in trending instead of failing the feed, a tag page and the following feed", async () => {
    const maker = await signup(ctx.app);
    const fan = await signup(ctx.app);
    await call(ctx.app, "POST", `/api/users/${maker.id}/follow`, { token: fan.token });
    const p = await createProject(ctx.app, maker, { title: "From the future", tags: ["skew"] });
    await ctx.sql.query("UPDATE projects SET created_at = now() + interval '3 hours' WHERE id = $1", [p.id]);
    for (const path of ["/api/projects?sort=trending", "/api/projects?tag=skew&sort=trending"]) {
      const res = await call(ctx.app, "GET", path);
      expect(res.statusCode).toBe(200);
      expect(res.json().items.map((i: { id: string }) => i.id)).toContain(p.id);
    }
    const following = await call(ctx.app, "GET", "/api/projects?following=true&sort=trending", { token: fan.token });
    expect(following.statusCode).toBe(200);
    expect(following.json().items.map((i: { id: string }) => i.id)).toContain(p.id);
  });
});
