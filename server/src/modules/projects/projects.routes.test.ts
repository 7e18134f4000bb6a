import { describe, expect, it } from "vitest";
import {
  CACHE_MODES,
  checksum,
  count,
  expectEach,
  expectError,
  expectInvalid,
  getJson,
  keysOf,
  MALFORMED_IDS,
  unknownId,
  type Viewer,
  warm,
  writeBehindTheCache,
} from "../../../test/api.js";
import { testApp, testUsers } from "../../../test/fixture.js";
import { call, createProject, signup } from "../../../test/helpers.js";

const ctx = testApp();
const { owner, other, admin } = testUsers(ctx, {
  owner: "Owner",
  other: "Other",
  admin: { name: "Admin", admin: true },
});

const viewers = (): Viewer[] => [owner, other, admin, null];
const projectCount = () => count(ctx.sql, "projects");

/** Every URL whose response shows the project (for warming and for checking freshness). */
const readsOf = (id: string, ownerId = owner.id) => [
  `/api/projects/${id}`,
  "/api/projects?sort=newest",
  "/api/projects?sort=top&pageSize=100",
  "/api/projects",
  "/api/leaderboard",
  `/api/users/${ownerId}`,
];

const findIn = (items: { id: string; [field: string]: unknown }[], id: string) => items.find((p) => p.id === id);

describe("POST /api/projects", () => {
  it("creates the project and answers 201 with it", async () => {
    const res = await call(ctx.app, "POST", "/api/projects", {
      token: owner.token,
      body: {
        title: "  Lockstep  ",
        description: "Deterministic networking",
        url: "https://example.com/lockstep",
        tags: ["Realtime", "games", "realtime "],
      },
    });
    expect(res.statusCode).toBe(201);
    const p = res.json();
    expect(p).toMatchObject({
      title: "Lockstep",
      description: "Deterministic networking",
      url: "https://example.com/lockstep",
      tags: ["realtime", "games"],
      featured: false,
      score: 0,
      upvotes: 0,
      downvotes: 0,
      commentCount: 0,
      owner: { id: owner.id, name: "Owner", avatarUrl: null },
      badges: [],
    });
    expect(p.id).toMatch(/^[0-9a-f-]{36}$/);
    const row = await ctx.sql.query("SELECT owner_id::text, title, tags FROM projects WHERE id = $1", [p.id]);
    expect(row.rows[0]).toEqual({ owner_id: owner.id, title: "Lockstep", tags: ["realtime", "games"] });
  });

  it("defaults description, url and tags", async () => {
    const res = await call(ctx.app, "POST", "/api/projects", { token: owner.token, body: { title: "Bare" } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ description: "", url: null, tags: [] });
    const blankUrl = await call(ctx.app, "POST", "/api/projects", {
      token: owner.token,
      body: { title: "Blank url", url: "" },
    });
    expect(blankUrl.statusCode).toBe(201);
    expect(blankUrl.json().url).toBeNull();
  });

  it("accepts the limits exactly: 120-char title, 5,000-char description, 10 tags, http and https", async () => {
    for (const body of [
      { title: "t".repeat(120) },
      { title: "d", description: "d".repeat(5000) },
      { title: "tags", tags: Array.from({ length: 10 }, (_, i) => `tag${i}`) },
      { title: "http", url: "http://example.com" },
      { title: "https", url: "https://example.com/a?b=c#d" },
    ]) {
      const res = await call(ctx.app, "POST", "/api/projects", { token: owner.token, body });
      expect(res.statusCode, res.body).toBe(201);
    }
  });

  it.each([
    ["no title", { description: "x" }, "title"],
    ["an empty title", { title: "" }, "title"],
    ["a blank title", { title: "   " }, "title"],
    ["a 121-char title", { title: "t".repeat(121) }, "title"],
    ["a numeric title", { title: 42 }, "title"],
    ["a 5,001-char description", { title: "x", description: "d".repeat(5001) }, "description"],
    ["a null description", { title: "x", description: null }, "description"],
    ["an ftp url", { title: "x", url: "ftp://example.com" }, "url"],
    ["a javascript: url", { title: "x", url: "javascript:alert(1)" }, "url"],
    ["a relative url", { title: "x", url: "/just/a/path" }, "url"],
    ["a non-string url", { title: "x", url: 7 }, "url"],
    ["11 tags", { title: "x", tags: Array.from({ length: 11 }, (_, i) => `tag${i}`) }, "tags"],
    ["tags as a string", { title: "x", tags: "a,b" }, "tags"],
    ["a 31-char tag", { title: "x", tags: ["t".repeat(31)] }, "tags.0"],
    ["an empty tag", { title: "x", tags: [""] }, "tags.0"],
    ["a tag with markup", { title: "x", tags: ["<b>"] }, "tags.0"],
    ["a NUL byte in the title", { title: "a\u0000b" }, "title"],
    ["a NUL byte in the description", { title: "x", description: "a\u0000b" }, "description"],
    ["a NUL byte in the url", { title: "x", url: "https://example.com/\u0000" }, "url"],
  ])("rejects %s with 400 and writes nothing", async (_label, body, path) => {
    const before = await checksum(ctx.sql);
    const res = await call(ctx.app, "POST", "/api/projects", { token: owner.token, body });
    expectInvalid(res, path);
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it.each([
    ["no body", undefined],
    ["null", null],
    ["an array", [{ title: "x" }]],
    ["a number", 12],
    ["a string", "title"],
  ])("rejects %s as the body with 400", async (_label, body) => {
    const before = await projectCount();
    expectInvalid(await call(ctx.app, "POST", "/api/projects", { token: owner.token, body }));
    expect(await projectCount()).toBe(before);
  });

  it("requires a signed-in user (401) and writes nothing", async () => {
    const before = await projectCount();
    expectError(await call(ctx.app, "POST", "/api/projects", { body: { title: "anon" } }), 401, "UNAUTHORIZED");
    expectError(
      await call(ctx.app, "POST", "/api/projects", { token: "not-a-token", body: { title: "bad token" } }),
      401,
    );
    expect(await projectCount()).toBe(before);
  });

  it.each(CACHE_MODES)("shows a new project in the feed, profile and detail (%s cache)", async (mode) => {
    if (mode === "warm") await warm(ctx.app, readsOf("00000000-0000-4000-8000-000000000000"), viewers());
    const p = await createProject(ctx.app, owner, { title: `New ${mode}` });
    for (const v of viewers()) {
      expect(findIn((await getJson(ctx.app, "/api/projects?sort=newest", v)).items, p.id)?.title).toBe(`New ${mode}`);
      expect(findIn((await getJson(ctx.app, "/api/projects?sort=top&pageSize=100", v)).items, p.id)).toBeDefined();
      expect(findIn((await getJson(ctx.app, `/api/users/${owner.id}`, v)).projects, p.id)).toBeDefined();
      expect((await getJson(ctx.app, `/api/projects/${p.id}`, v)).title).toBe(`New ${mode}`);
    }
    const feed = await getJson(ctx.app, "/api/projects?sort=newest");
    expect(feed.total).toBe(await projectCount());
  });
});

describe("GET /api/projects/:id", () => {
  it("returns every field of SPEC's project detail, with no private data", async () => {
    const p = await createProject(ctx.app, owner, { url: "https://example.com", tags: ["one"] });
    await call(ctx.app, "POST", `/api/projects/${p.id}/upvote`, { token: other.token });
    const c = await call(ctx.app, "POST", `/api/projects/${p.id}/comments`, {
      token: other.token,
      body: { body: "First" },
    });
    await call(ctx.app, "POST", `/api/projects/${p.id}/badges`, { token: admin.token, body: { kind: "winner" } });
    const d = await getJson(ctx.app, `/api/projects/${p.id}`);
    for (const key of [
      "id",
      "title",
      "description",
      "url",
      "tags",
      "featured",
      "score",
      "upvotes",
      "downvotes",
      "commentCount",
      "owner",
      "myVote",
      "badges",
      "comments",
      "createdAt",
      "updatedAt",
    ])
      expect(d).toHaveProperty(key);
    expect(d).toMatchObject({
      id: p.id,
      url: "https://example.com",
      tags: ["one"],
      score: 1,
      upvotes: 1,
      downvotes: 0,
      commentCount: 1,
      myVote: 0,
      owner: { id: owner.id, name: "Owner", avatarUrl: null },
      badges: [{ kind: "winner" }],
    });
    expect(Object.keys(d.owner).sort()).toEqual(["avatarUrl", "id", "name"]);
    expect(d.comments).toHaveLength(1);
    expect(d.comments[0]).toMatchObject({
      id: c.json().id,
      body: "First",
      score: 0,
      parentId: null,
      author: { id: other.id, name: "Other" },
    });
    expect(Date.parse(d.createdAt)).not.toBeNaN();
    expect(Date.parse(d.badges[0].createdAt)).not.toBeNaN();
    const keys = keysOf(d);
    for (const secret of ["email", "passwordHash", "password_hash", "password"]) expect(keys.has(secret)).toBe(false);
    expect(JSON.stringify(d)).not.toContain("@example.test");
  });

  it("answers 404 for an unknown project and for a malformed id, for anyone", async () => {
    for (const v of [null, owner]) {
      expectError(await call(ctx.app, "GET", `/api/projects/${unknownId()}`, { token: v?.token }), 404, "NOT_FOUND");
      for (const bad of MALFORMED_IDS)
        expectError(await call(ctx.app, "GET", `/api/projects/${bad}`, { token: v?.token }), 404, "NOT_FOUND");
    }
  });

  it("accepts an upper-case uuid for the same project", async () => {
    const p = await createProject(ctx.app, owner);
    expect((await getJson(ctx.app, `/api/projects/${p.id.toUpperCase()}`)).id).toBe(p.id);
  });

  it("serves a warm read from the cache (a write that bypasses the pipeline is not seen)", async () => {
    // Proves the "warm" cases below really read a cached entry.
    const p = await createProject(ctx.app, owner, { title: "Cached title" });
    await getJson(ctx.app, `/api/projects/${p.id}`);
    await writeBehindTheCache(ctx.sql, "UPDATE projects SET title = 'Sneaky' WHERE id = $1", [p.id]);
    expect((await getJson(ctx.app, `/api/projects/${p.id}`)).title).toBe("Cached title");
    expect((await getJson(ctx.app, `/api/projects/${p.id}`, other)).title).toBe("Cached title");
  });
});

describe("PATCH /api/projects/:id", () => {
  it("lets the owner update title, description, url and tags, one field or all", async () => {
    const p = await createProject(ctx.app, owner, { url: "https://example.com/a", tags: ["a"] });
    const res = await call(ctx.app, "PATCH", `/api/projects/${p.id}`, {
      token: owner.token,
      body: { title: "Renamed" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: p.id, title: "Renamed", url: "https://example.com/a", tags: ["a"] });
    const all = await call(ctx.app, "PATCH", `/api/projects/${p.id}`, {
      token: owner.token,
      body: { title: "All", description: "New description", url: null, tags: ["b", "c"] },
    });
    expect(all.statusCode).toBe(200);
    expect(all.json()).toMatchObject({ title: "All", description: "New description", url: null, tags: ["b", "c"] });
    const row = await ctx.sql.query("SELECT title, description, url, tags FROM projects WHERE id = $1", [p.id]);
    expect(row.rows[0]).toEqual({ title: "All", description: "New description", url: null, tags: ["b", "c"] });
  });

  it.each([
    ["an empty body", {}, ""],
    ["only unknown fields", { owner: "me", score: 100 }, ""],
    ["an empty title", { title: "" }, "title"],
    ["a 121-char title", { title: "t".repeat(121) }, "title"],
    ["a 5,001-char description", { description: "d".repeat(5001) }, "description"],
    ["a mailto: url", { url: "mailto:a@example.com" }, "url"],
    ["11 tags", { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, "tags"],
    ["a null title", { title: null }, "title"],
  ])("rejects %s with 400 and changes nothing", async (_label, body, path) => {
    const p = await createProject(ctx.app, owner);
    const before = await checksum(ctx.sql);
    expectInvalid(await call(ctx.app, "PATCH", `/api/projects/${p.id}`, { token: owner.token, body }), path);
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it("refuses anyone but the owner (401 anonymous, 403 others and admins, 404 unknown) and changes nothing", async () => {
    const p = await createProject(ctx.app, owner, { title: "Mine" });
    const before = await checksum(ctx.sql);
    const body = { title: "Hijacked" };
    expectError(await call(ctx.app, "PATCH", `/api/projects/${p.id}`, { body }), 401, "UNAUTHORIZED");
    expectError(await call(ctx.app, "PATCH", `/api/projects/${p.id}`, { token: other.token, body }), 403, "FORBIDDEN");
    expectError(await call(ctx.app, "PATCH", `/api/projects/${p.id}`, { token: admin.token, body }), 403, "FORBIDDEN");
    expectError(
      await call(ctx.app, "PATCH", `/api/projects/${unknownId()}`, { token: owner.token, body }),
      404,
      "NOT_FOUND",
    );
    expectError(await call(ctx.app, "PATCH", "/api/projects/nope", { token: owner.token, body }), 404, "NOT_FOUND");
    expect(await checksum(ctx.sql)).toEqual(before);
    expect((await getJson(ctx.app, `/api/projects/${p.id}`)).title).toBe("Mine");
  });

  it.each(CACHE_MODES)("shows the update everywhere, to everyone (%s cache)", async (mode) => {
    const p = await createProject(ctx.app, owner, { title: "Before" });
    if (mode === "warm") await warm(ctx.app, readsOf(p.id), viewers());
    const res = await call(ctx.app, "PATCH", `/api/projects/${p.id}`, {
      token: owner.token,
      body: { title: "After", tags: ["fresh"] },
    });
    expect(res.statusCode).toBe(200);
    for (const v of viewers()) {
      expect(await getJson(ctx.app, `/api/projects/${p.id}`, v)).toMatchObject({ title: "After", tags: ["fresh"] });
      expect(findIn((await getJson(ctx.app, "/api/projects?sort=newest", v)).items, p.id)?.title).toBe("After");
      expect(findIn((await getJson(ctx.app, "/api/projects?sort=top&pageSize=100", v)).items, p.id)?.title).toBe(
        "After",
      );
      expect(findIn((await getJson(ctx.app, `/api/users/${owner.id}`, v)).projects, p.id)?.title).toBe("After");
    }
  });
});

describe("DELETE /api/projects/:id", () => {
  it("lets the owner delete (204) and removes its votes, comments and badges", async () => {
    const p = await createProject(ctx.app, owner);
    await call(ctx.app, "POST", `/api/projects/${p.id}/upvote`, { token: other.token });
    await call(ctx.app, "POST", `/api/projects/${p.id}/comments`, { token: other.token, body: { body: "hi" } });
    await call(ctx.app, "POST", `/api/projects/${p.id}/badges`, { token: admin.token, body: { kind: "winner" } });
    const res = await call(ctx.app, "DELETE", `/api/projects/${p.id}`, { token: owner.token });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    for (const table of ["votes", "comments", "badges"])
      expect(await count(ctx.sql, table, "project_id = $1", [p.id])).toBe(0);
    expect(await count(ctx.sql, "projects", "id = $1", [p.id])).toBe(0);
  });

  it("lets an admin delete someone else's project", async () => {
    const p = await createProject(ctx.app, owner);
    expect((await call(ctx.app, "DELETE", `/api/projects/${p.id}`, { token: admin.token })).statusCode).toBe(204);
    expectError(await call(ctx.app, "GET", `/api/projects/${p.id}`), 404);
  });

  it("refuses others (401, 403, 404) and deletes nothing", async () => {
    const p = await createProject(ctx.app, owner);
    const before = await checksum(ctx.sql);
    expectError(await call(ctx.app, "DELETE", `/api/projects/${p.id}`), 401);
    expectError(await call(ctx.app, "DELETE", `/api/projects/${p.id}`, { token: other.token }), 403, "FORBIDDEN");
    expectError(await call(ctx.app, "DELETE", `/api/projects/${unknownId()}`, { token: admin.token }), 404);
    expectError(await call(ctx.app, "DELETE", "/api/projects/123", { token: admin.token }), 404);
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it("answers 404 when deleting twice", async () => {
    const p = await createProject(ctx.app, owner);
    expect((await call(ctx.app, "DELETE", `/api/projects/${p.id}`, { token: owner.token })).statusCode).toBe(204);
    expectError(await call(ctx.app, "DELETE", `/api/projects/${p.id}`, { token: owner.token }), 404);
  });

  it.each(CACHE_MODES)("removes the project from every read, for everyone (%s cache)", async (mode) => {
    const commenter = await signup(ctx.app, { name: "Commenter" });
    const p = await createProject(ctx.app, owner);
    await call(ctx.app, "POST", `/api/projects/${p.id}/upvote`, { token: commenter.token });
    await call(ctx.app, "POST", `/api/projects/${p.id}/comments`, { token: commenter.token, body: { body: "hi" } });
    const urls = [...readsOf(p.id), `/api/users/${commenter.id}`];
    if (mode === "warm") await warm(ctx.app, urls, [...viewers(), commenter]);
    const total = (await getJson(ctx.app, "/api/projects?sort=newest")).total;
    expect((await call(ctx.app, "DELETE", `/api/projects/${p.id}`, { token: owner.token })).statusCode).toBe(204);
    for (const v of [...viewers(), commenter]) {
      expectError(await call(ctx.app, "GET", `/api/projects/${p.id}`, { token: v?.token }), 404);
      const feed = await getJson(ctx.app, "/api/projects?sort=newest", v);
      expect(findIn(feed.items, p.id)).toBeUndefined();
      expect(feed.total).toBe(total - 1);
      expect(findIn((await getJson(ctx.app, "/api/projects?sort=top&pageSize=100", v)).items, p.id)).toBeUndefined();
      const board = await getJson(ctx.app, "/api/leaderboard", v);
      expect(board.projects.find((e: { project: { id: string } }) => e.project.id === p.id)).toBeUndefined();
      expect(findIn((await getJson(ctx.app, `/api/users/${owner.id}`, v)).projects, p.id)).toBeUndefined();
      // The commenter's comment went with the project: their stats must say so.
      expect((await getJson(ctx.app, `/api/users/${commenter.id}`, v)).stats.comments).toBe(0);
    }
  });
});

describe("POST /api/projects/:id/feature", () => {
  it.each(CACHE_MODES)("lets an admin feature and unfeature; everyone sees it (%s cache)", async (mode) => {
    const p = await createProject(ctx.app, owner);
    if (mode === "warm") await warm(ctx.app, readsOf(p.id), viewers());
    const on = await call(ctx.app, "POST", `/api/projects/${p.id}/feature`, {
      token: admin.token,
      body: { featured: true },
    });
    expect(on.statusCode).toBe(200);
    expect(on.json()).toMatchObject({ id: p.id, featured: true });
    await expectEach(ctx.app, `/api/projects/${p.id}`, viewers(), (d) => expect(d.featured).toBe(true));
    await expectEach(ctx.app, "/api/projects?sort=newest", viewers(), (f) =>
      expect(findIn(f.items, p.id)).toMatchObject({ featured: true }),
    );
    await expectEach(ctx.app, `/api/users/${owner.id}`, viewers(), (u) =>
      expect(findIn(u.projects, p.id)).toMatchObject({ featured: true }),
    );
    const off = await call(ctx.app, "POST", `/api/projects/${p.id}/feature`, {
      token: admin.token,
      body: { featured: false },
    });
    expect(off.json().featured).toBe(false);
    await expectEach(ctx.app, `/api/projects/${p.id}`, viewers(), (d) => expect(d.featured).toBe(false));
    await expectEach(ctx.app, "/api/projects?sort=newest", viewers(), (f) =>
      expect(findIn(f.items, p.id)).toMatchObject({ featured: false }),
    );
  });

  it("is admin only: 401 anonymous, 403 for users including the owner; nothing changes", async () => {
    const p = await createProject(ctx.app, owner);
    const before = await checksum(ctx.sql);
    const body = { featured: true };
    expectError(await call(ctx.app, "POST", `/api/projects/${p.id}/feature`, { body }), 401);
    expectError(await call(ctx.app, "POST", `/api/projects/${p.id}/feature`, { token: owner.token, body }), 403);
    expectError(await call(ctx.app, "POST", `/api/projects/${p.id}/feature`, { token: other.token, body }), 403);
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it("answers 404 for an unknown or malformed id and 400 for a bad body", async () => {
    const p = await createProject(ctx.app, owner);
    const before = await checksum(ctx.sql);
    const body = { featured: true };
    expectError(await call(ctx.app, "POST", `/api/projects/${unknownId()}/feature`, { token: admin.token, body }), 404);
    expectError(await call(ctx.app, "POST", "/api/projects/xyz/feature", { token: admin.token, body }), 404);
    for (const bad of [{}, { featured: "true" }, { featured: 1 }, { featured: null }, null, []])
      expectInvalid(await call(ctx.app, "POST", `/api/projects/${p.id}/feature`, { token: admin.token, body: bad }));
    expect(await checksum(ctx.sql)).toEqual(before);
  });
});
