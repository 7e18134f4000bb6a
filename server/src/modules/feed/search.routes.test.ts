import { beforeAll, describe, expect, it } from "vitest";
import { CACHE_MODES, expectInvalid, getJson } from "../../../test/api.js";
import { testApp, testUsers } from "../../../test/fixture.js";
import { call, createProject, signup, type TestContext, type TestUser } from "../../../test/helpers.js";

const a = testApp();
/** A second instance on the same database and Redis. */
const b = testApp({ share: a });
const { maker } = testUsers(a, { maker: {} });

const titles = (page: { items: { title: string }[] }) => page.items.map((p) => p.title);
const search = (ctx: TestContext, query: string, viewer: TestUser | null = null) =>
  getJson(ctx.app, `/api/projects?${query}`, viewer);

describe("GET /api/projects?q=", () => {
  beforeAll(async () => {
    await createProject(a.app, maker, {
      title: "Lighthouse",
      description: "A tool for postgres search",
      tags: ["tools"],
    });
    await createProject(a.app, maker, { title: "Postgres explorer", description: "Browse tables", tags: ["db"] });
    await createProject(a.app, maker, { title: "Garden", description: "Plants", tags: ["postgres", "hobby"] });
    await createProject(a.app, maker, { title: "Unrelated", description: "Nothing here" });
  });

  it("searches title, tags and description, ranked by relevance (title first), with the total", async () => {
    const page = await search(a, "q=postgres");
    expect(page).toMatchObject({ total: 3, page: 1, pageSize: 20, sort: "relevance" });
    expect(titles(page)).toEqual(["Postgres explorer", "Garden", "Lighthouse"]);
    // A given sort replaces relevance.
    expect(titles(await search(a, "q=postgres&sort=newest"))).toEqual(["Garden", "Postgres explorer", "Lighthouse"]);
    expect((await search(a, "q=postgres&pageSize=1&page=3")).items).toHaveLength(1);
  });

  it("matches words as prefixes and case-insensitively, all words required", async () => {
    expect(titles(await search(a, "q=POSTG"))).toHaveLength(3);
    expect(titles(await search(a, "q=postgres%20browse"))).toEqual(["Postgres explorer"]);
    expect(titles(await search(a, "q=nowhere"))).toEqual([]);
  });

  it("reads operators, quotes and SQL as plain words, never as syntax", async () => {
    for (const q of [
      "postgres & !garden",
      "postgres | nothing",
      "'postgres'",
      '"postgres explorer"',
      "postgres:*",
      "(postgres",
      "postgres <-> explorer",
      "\\postgres\\",
      "'; DROP TABLE projects; --",
      "!!!",
      "&|!<>():*'\"",
      "é ü 漢字 🙂",
    ]) {
      const res = await call(a.app, "GET", `/api/projects?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, `${q}: ${res.body}`).toBe(200);
    }
    // `!garden` is the word garden, not its negation: only projects with every word.
    expect(titles(await search(a, `q=${encodeURIComponent("postgres & !garden")}`))).toEqual(["Garden"]);
    expect(titles(await search(a, `q=${encodeURIComponent("'; DROP TABLE projects; --")}`))).toEqual([]);
    expect((await search(a, "sort=newest")).total).toBe(4);
  });

  it("treats a blank q as no search, and refuses a huge one with the limit in the message", async () => {
    expect((await search(a, "q=%20%20")).total).toBe(4);
    const err = expectInvalid(await call(a.app, "GET", `/api/projects?q=${"x".repeat(201)}`), "querystring.q");
    expect(err.message).toMatch(/200 characters/);
    expectInvalid(await call(a.app, "GET", `/api/projects?q=${"x".repeat(10_000)}`), "querystring.q");
    expectInvalid(await call(a.app, "GET", "/api/projects?q=a%00b"), "querystring.q");
    expect((await call(a.app, "GET", `/api/projects?q=${"x".repeat(200)}`)).statusCode).toBe(200);
  });
});

describe("GET /api/projects?tag= and GET /api/tags", () => {
  it("filters by one exact tag (case-insensitively), combined with q; lists tags most used first", async () => {
    const u = await signup(a.app);
    await createProject(a.app, u, { title: "Tagged one", tags: ["Zeta", "hobby"] });
    await createProject(a.app, u, { title: "Tagged two", tags: ["zeta"] });
    expect(titles(await search(a, "tag=zeta&sort=newest"))).toEqual(["Tagged two", "Tagged one"]);
    expect(titles(await search(a, "tag=ZETA&q=one"))).toEqual(["Tagged one"]);
    expect(titles(await search(a, "tag=zet"))).toEqual([]);
    const tags = await getJson(a.app, "/api/tags");
    expect(tags.slice(0, 2)).toEqual([
      { tag: "hobby", count: 2 },
      { tag: "zeta", count: 2 },
    ]);
    for (const t of tags) expect(Object.keys(t).sort()).toEqual(["count", "tag"]);
    for (const bad of ["", "%20", "t".repeat(31), "%3Cb%3E"])
      expectInvalid(await call(a.app, "GET", `/api/projects?tag=${bad}`), "querystring.tag");
  });
});

describe("freshness guarantee 7: search and tag reads right after a change, on both instances", () => {
  for (const mode of CACHE_MODES)
    it(`a created, renamed, retagged and deleted project (${mode} cache)`, async () => {
      const word = `kumquat${mode}`;
      const urls = [`/api/projects?q=${word}`, `/api/projects?tag=${word}`, "/api/tags"];
      const read = async (ctx: TestContext) => ({
        q: titles(await getJson(ctx.app, urls[0]!)),
        tag: titles(await getJson(ctx.app, urls[1]!)),
        tags: (await getJson(ctx.app, urls[2]!)).find((t: { tag: string }) => t.tag === word)?.count ?? 0,
      });
      if (mode === "warm") for (const ctx of [a, b]) expect(await read(ctx)).toEqual({ q: [], tag: [], tags: 0 });
      const p = await createProject(a.app, maker, { title: `The ${word}`, tags: [word] });
      for (const ctx of [a, b]) expect(await read(ctx)).toEqual({ q: [`The ${word}`], tag: [`The ${word}`], tags: 1 });
      await call(b.app, "PATCH", `/api/projects/${p.id}`, { token: maker.token, body: { title: "Renamed" } });
      // Still found by its tag (the tags are searched too), with the new title.
      for (const ctx of [a, b]) expect(await read(ctx)).toEqual({ q: ["Renamed"], tag: ["Renamed"], tags: 1 });
      await call(a.app, "PATCH", `/api/projects/${p.id}`, { token: maker.token, body: { tags: ["other"] } });
      for (const ctx of [a, b]) expect(await read(ctx)).toEqual({ q: [], tag: [], tags: 0 });
      await call(a.app, "PATCH", `/api/projects/${p.id}`, { token: maker.token, body: { tags: [word] } });
      for (const ctx of [a, b]) expect(await read(ctx)).toEqual({ q: ["Renamed"], tag: ["Renamed"], tags: 1 });
      await call(b.app, "DELETE", `/api/projects/${p.id}`, { token: maker.token });
      for (const ctx of [a, b]) expect(await read(ctx)).toEqual({ q: [], tag: [], tags: 0 });
    });

  it("a vote shows in search results' counts and the voter's myVote at once", async () => {
    const voter = await signup(a.app);
    const p = await createProject(a.app, maker, { title: "Votable quince" });
    const url = "/api/projects?q=quince";
    for (const ctx of [a, b]) await getJson(ctx.app, url, voter);
    await call(a.app, "POST", `/api/projects/${p.id}/downvote`, { token: voter.token });
    for (const ctx of [a, b]) {
      expect((await getJson(ctx.app, url, voter)).items[0]).toMatchObject({ score: -1, myVote: -1 });
      expect((await getJson(ctx.app, url)).items[0]).toMatchObject({ score: -1, myVote: 0 });
    }
  });
});

describe("myVote on feed items", () => {
  it("is the caller's own vote on every item, 0 when anonymous, never shared through the cache", async () => {
    const [v1, v2] = [await signup(a.app), await signup(a.app)];
    const p = await createProject(a.app, maker, { title: "Myvote item" });
    await call(a.app, "POST", `/api/projects/${p.id}/upvote`, { token: v1.token });
    const mine = (ctx: TestContext, v: TestUser | null) =>
      getJson(ctx.app, "/api/projects?sort=newest", v).then(
        (f) => f.items.find((i: { id: string }) => i.id === p.id).myVote,
      );
    for (const ctx of [a, b]) {
      expect(await mine(ctx, v1)).toBe(1);
      expect(await mine(ctx, v2)).toBe(0);
      expect(await mine(ctx, null)).toBe(0);
    }
    for (const i of (await getJson(a.app, "/api/projects?sort=top")).items) expect(i.myVote).toBe(0);
    const res = await call(a.app, "GET", "/api/projects", { token: v1.token });
    expect(res.headers["cache-control"]).toBe("no-store");
  });
});
