import { describe, expect, it } from "vitest";
import {
  CACHE_MODES,
  checksum,
  count,
  expectEach,
  expectError,
  expectInvalid,
  getJson,
  MALFORMED_IDS,
  unknownId,
  type Viewer,
  warm,
} from "../../../test/api.js";
import { testApp, testUsers } from "../../../test/fixture.js";
import { call, createProject, signup, type TestUser } from "../../../test/helpers.js";

const ctx = testApp();
const { owner, alice, bob, admin } = testUsers(ctx, {
  owner: "Owner",
  alice: "Alice",
  bob: "Bob",
  admin: { name: "Admin", admin: true },
});

const viewers = (): Viewer[] => [owner, alice, bob, admin, null];

async function addComment(projectId: string, u: TestUser, body: string, parentId?: string) {
  const res = await call(ctx.app, "POST", `/api/projects/${projectId}/comments`, {
    token: u.token,
    body: parentId ? { body, parentId } : { body },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; body: string; parentId: string | null };
}

const voteComment = (id: string, value: unknown, u: TestUser) =>
  call(ctx.app, "POST", `/api/comments/${id}/vote`, { token: u.token, body: { value } });

/** The reads a comment shows up in: the project page, and its counts in feed, leaderboard and profiles. */
const readsOf = (projectId: string, ...users: TestUser[]) => [
  `/api/projects/${projectId}`,
  "/api/projects?sort=newest&pageSize=100",
  "/api/projects?sort=top&pageSize=100",
  "/api/leaderboard",
  `/api/users/${owner.id}`,
  ...users.map((u) => `/api/users/${u.id}`),
];

/** Asserts the comment count of a project in every read that shows it, for every viewer. */
async function expectCommentCount(projectId: string, n: number) {
  expect(await count(ctx.sql, "comments", "project_id = $1", [projectId])).toBe(n);
  for (const v of viewers()) {
    const d = await getJson(ctx.app, `/api/projects/${projectId}`, v);
    expect(d.commentCount).toBe(n);
    expect(d.comments).toHaveLength(n);
    for (const url of ["/api/projects?sort=newest&pageSize=100", "/api/projects?sort=top&pageSize=100"]) {
      const item = (await getJson(ctx.app, url, v)).items.find((i: { id: string }) => i.id === projectId);
      expect(item?.commentCount, url).toBe(n);
    }
    const board = await getJson(ctx.app, "/api/leaderboard", v);
    const entry = board.projects.find((e: { project: { id: string } }) => e.project.id === projectId);
    expect(entry?.project.commentCount, "leaderboard").toBe(n);
    const profile = await getJson(ctx.app, `/api/users/${owner.id}`, v);
    expect(profile.projects.find((i: { id: string }) => i.id === projectId)?.commentCount, "owner profile").toBe(n);
  }
}

/** A project at the top of the leaderboard, so that it is listed there. */
async function topProject() {
  const p = await createProject(ctx.app, owner);
  const top = (await getJson(ctx.app, "/api/leaderboard")).projects[0]?.project.score ?? 0;
  const voters = [];
  for (let i = 0; i <= top; i++) voters.push(await signup(ctx.app));
  for (const u of voters) await call(ctx.app, "POST", `/api/projects/${p.id}/upvote`, { token: u.token });
  return p;
}

describe("POST /api/projects/:id/comments", () => {
  it("adds a comment (201) stored as typed, never as HTML", async () => {
    const p = await createProject(ctx.app, owner);
    const body = `  <script>alert("x")</script> & <b>bold</b>\nsecond line  `;
    const res = await call(ctx.app, "POST", `/api/projects/${p.id}/comments`, { token: alice.token, body: { body } });
    expect(res.statusCode).toBe(201);
    const c = res.json();
    expect(c).toMatchObject({
      projectId: p.id,
      body: body.trim(),
      score: 0,
      parentId: null,
      myVote: 0,
      author: { id: alice.id, name: "Alice", avatarUrl: null },
    });
    expect(Object.keys(c.author).sort()).toEqual(["avatarUrl", "id", "name"]);
    const row = await ctx.sql.query("SELECT body, author_id::text FROM comments WHERE id = $1", [c.id]);
    expect(row.rows[0]).toEqual({ body: body.trim(), author_id: alice.id });
    const d = await getJson(ctx.app, `/api/projects/${p.id}`);
    expect(d.comments[0].body).toBe(body.trim());
  });

  it("accepts a reply to a comment of the same project, and replies to replies", async () => {
    const p = await createProject(ctx.app, owner);
    const root = await addComment(p.id, alice, "root");
    const reply = await addComment(p.id, bob, "reply", root.id);
    const deeper = await addComment(p.id, alice, "deeper", reply.id.toUpperCase());
    expect(reply.parentId).toBe(root.id);
    expect(deeper.parentId).toBe(reply.id);
    const d = await getJson(ctx.app, `/api/projects/${p.id}`);
    expect(d.comments.map((c: { id: string; parentId: string | null }) => [c.id, c.parentId])).toEqual([
      [root.id, null],
      [reply.id, root.id],
      [deeper.id, reply.id],
    ]);
  });

  it("rejects a reply to a comment of another project, or to no comment, and writes nothing", async () => {
    const p = await createProject(ctx.app, owner);
    const elsewhere = await createProject(ctx.app, owner);
    const foreign = await addComment(elsewhere.id, alice, "elsewhere");
    const before = await checksum(ctx.sql);
    for (const parentId of [foreign.id, unknownId()])
      expectInvalid(
        await call(ctx.app, "POST", `/api/projects/${p.id}/comments`, {
          token: bob.token,
          body: { body: "reply", parentId },
        }),
        "parentId",
      );
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it("accepts a 2,000-char body", async () => {
    const p = await createProject(ctx.app, owner);
    expect((await addComment(p.id, alice, "b".repeat(2000))).body).toHaveLength(2000);
  });

  it.each([
    ["no body", {}, "body"],
    ["an empty body", { body: "" }, "body"],
    ["a blank body", { body: " \n\t " }, "body"],
    ["a 2,001-char body", { body: "b".repeat(2001) }, "body"],
    ["a numeric body", { body: 12 }, "body"],
    ["an array body", { body: ["x"] }, "body"],
    ["a NUL byte", { body: "a\u0000b" }, "body"],
    ["a malformed parentId", { body: "x", parentId: "abc" }, "parentId"],
    ["a numeric parentId", { body: "x", parentId: 1 }, "parentId"],
  ])("rejects %s with 400 and writes nothing", async (_label, body, path) => {
    const p = await createProject(ctx.app, owner);
    const before = await checksum(ctx.sql);
    expectInvalid(await call(ctx.app, "POST", `/api/projects/${p.id}/comments`, { token: alice.token, body }), path);
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it("answers 401 anonymous, 404 for unknown or malformed projects; writes nothing", async () => {
    const p = await createProject(ctx.app, owner);
    const before = await checksum(ctx.sql);
    expectError(await call(ctx.app, "POST", `/api/projects/${p.id}/comments`, { body: { body: "x" } }), 401);
    for (const id of [unknownId(), ...MALFORMED_IDS])
      expectError(
        await call(ctx.app, "POST", `/api/projects/${id}/comments`, { token: alice.token, body: { body: "x" } }),
        404,
        "NOT_FOUND",
      );
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it.each(CACHE_MODES)("shows the comment and the new count everywhere (%s cache)", async (mode) => {
    const p = await topProject();
    if (mode === "warm") await warm(ctx.app, readsOf(p.id, alice), viewers());
    const c = await addComment(p.id, alice, `hello ${mode}`);
    await expectCommentCount(p.id, 1);
    await expectEach(ctx.app, `/api/projects/${p.id}`, viewers(), (d) =>
      expect(d.comments[0]).toMatchObject({ id: c.id, body: `hello ${mode}` }),
    );
    const commentsByAlice = await count(ctx.sql, "comments", "author_id = $1", [alice.id]);
    await expectEach(ctx.app, `/api/users/${alice.id}`, viewers(), (u) =>
      expect(u.stats.comments).toBe(commentsByAlice),
    );
    await addComment(p.id, bob, "reply", c.id);
    await expectCommentCount(p.id, 2);
  });
});

describe("PATCH /api/comments/:id", () => {
  it.each(CACHE_MODES)("lets the author edit; everyone sees the new body (%s cache)", async (mode) => {
    const p = await createProject(ctx.app, owner);
    const c = await addComment(p.id, alice, "typo");
    if (mode === "warm") await warm(ctx.app, [`/api/projects/${p.id}`], viewers());
    const res = await call(ctx.app, "PATCH", `/api/comments/${c.id}`, {
      token: alice.token,
      body: { body: " fixed " },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: c.id, body: "fixed", author: { id: alice.id } });
    await expectEach(ctx.app, `/api/projects/${p.id}`, viewers(), (d) => {
      expect(d.comments[0]).toMatchObject({ id: c.id, body: "fixed" });
      expect(d.commentCount).toBe(1);
    });
  });

  it("refuses anyone but the author (401, 403 also for admins and the project owner, 404) and changes nothing", async () => {
    const p = await createProject(ctx.app, owner);
    const c = await addComment(p.id, alice, "mine");
    const before = await checksum(ctx.sql);
    const body = { body: "hijacked" };
    expectError(await call(ctx.app, "PATCH", `/api/comments/${c.id}`, { body }), 401);
    for (const u of [bob, owner, admin])
      expectError(await call(ctx.app, "PATCH", `/api/comments/${c.id}`, { token: u.token, body }), 403, "FORBIDDEN");
    for (const id of [unknownId(), ...MALFORMED_IDS])
      expectError(await call(ctx.app, "PATCH", `/api/comments/${id}`, { token: alice.token, body }), 404);
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it.each([
    ["an empty body", { body: "" }],
    ["a 2,001-char body", { body: "x".repeat(2001) }],
    ["no body field", {}],
    ["a null body", { body: null }],
  ])("rejects %s with 400 and changes nothing", async (_label, body) => {
    const p = await createProject(ctx.app, owner);
    const c = await addComment(p.id, alice, "mine");
    const before = await checksum(ctx.sql);
    expectInvalid(await call(ctx.app, "PATCH", `/api/comments/${c.id}`, { token: alice.token, body }), "body");
    expect(await checksum(ctx.sql)).toEqual(before);
  });
});

describe("DELETE /api/comments/:id", () => {
  it.each(CACHE_MODES)("deletes a comment with its replies; every read shows it (%s cache)", async (mode) => {
    const p = await topProject();
    const root = await addComment(p.id, alice, "root");
    const reply = await addComment(p.id, bob, "reply", root.id);
    await addComment(p.id, alice, "reply to reply", reply.id);
    const keep = await addComment(p.id, bob, "another thread");
    await voteComment(reply.id, 1, owner);
    if (mode === "warm") await warm(ctx.app, readsOf(p.id, alice, bob), viewers());
    const res = await call(ctx.app, "DELETE", `/api/comments/${root.id}`, { token: alice.token });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    await expectCommentCount(p.id, 1);
    await expectEach(ctx.app, `/api/projects/${p.id}`, viewers(), (d) =>
      expect(d.comments.map((c: { id: string }) => c.id)).toEqual([keep.id]),
    );
    expect(await count(ctx.sql, "comment_votes", "comment_id = $1", [reply.id])).toBe(0);
    // Bob's reply went with the thread: his profile stats must say so.
    const bobsComments = await count(ctx.sql, "comments", "author_id = $1", [bob.id]);
    const alicesComments = await count(ctx.sql, "comments", "author_id = $1", [alice.id]);
    await expectEach(ctx.app, `/api/users/${bob.id}`, viewers(), (u) => expect(u.stats.comments).toBe(bobsComments));
    await expectEach(ctx.app, `/api/users/${alice.id}`, viewers(), (u) =>
      expect(u.stats.comments).toBe(alicesComments),
    );
  });

  it("lets an admin delete anyone's comment", async () => {
    const p = await createProject(ctx.app, owner);
    const c = await addComment(p.id, alice, "spam");
    expect((await call(ctx.app, "DELETE", `/api/comments/${c.id}`, { token: admin.token })).statusCode).toBe(204);
    expect(await count(ctx.sql, "comments", "id = $1", [c.id])).toBe(0);
  });

  it("refuses others, including the project owner (401, 403, 404) and deletes nothing", async () => {
    const p = await createProject(ctx.app, owner);
    const c = await addComment(p.id, alice, "mine");
    const before = await checksum(ctx.sql);
    expectError(await call(ctx.app, "DELETE", `/api/comments/${c.id}`), 401);
    for (const u of [bob, owner])
      expectError(await call(ctx.app, "DELETE", `/api/comments/${c.id}`, { token: u.token }), 403, "FORBIDDEN");
    for (const id of [unknownId(), ...MALFORMED_IDS])
      expectError(await call(ctx.app, "DELETE", `/api/comments/${id}`, { token: admin.token }), 404);
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it("answers 404 when deleting twice, and for a reply deleted with its parent", async () => {
    const p = await createProject(ctx.app, owner);
    const root = await addComment(p.id, alice, "root");
    const reply = await addComment(p.id, alice, "reply", root.id);
    expect((await call(ctx.app, "DELETE", `/api/comments/${root.id}`, { token: alice.token })).statusCode).toBe(204);
    expectError(await call(ctx.app, "DELETE", `/api/comments/${root.id}`, { token: alice.token }), 404);
    expectError(await call(ctx.app, "DELETE", `/api/comments/${reply.id}`, { token: alice.token }), 404);
  });
});

describe("POST /api/comments/:id/vote", () => {
  it("votes 1, -1 and 0 on a comment, idempotently", async () => {
    const p = await createProject(ctx.app, owner);
    const c = await addComment(p.id, alice, "vote me");
    const first = await voteComment(c.id, 1, bob);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ commentId: c.id, myVote: 1, score: 1 });
    expect((await voteComment(c.id, 1, bob)).json()).toEqual({ commentId: c.id, myVote: 1, score: 1 });
    expect(await count(ctx.sql, "comment_votes", "comment_id = $1", [c.id])).toBe(1);
    expect((await voteComment(c.id, 1, owner)).json()).toEqual({ commentId: c.id, myVote: 1, score: 2 });
    expect((await voteComment(c.id, -1, bob)).json()).toEqual({ commentId: c.id, myVote: -1, score: 0 });
    expect((await voteComment(c.id, 0, bob)).json()).toEqual({ commentId: c.id, myVote: 0, score: 1 });
    expect((await voteComment(c.id, 0, bob)).json()).toEqual({ commentId: c.id, myVote: 0, score: 1 });
    const row = await ctx.sql.query(
      "SELECT score, (SELECT COALESCE(sum(value), 0)::int FROM comment_votes WHERE comment_id = $1) AS real FROM comments WHERE id = $1",
      [c.id],
    );
    expect(row.rows[0]).toEqual({ score: 1, real: 1 });
  });

  it.each(CACHE_MODES)("shows comment scores to all and myVote only to its voter (%s cache)", async (mode) => {
    const p = await createProject(ctx.app, owner);
    const c1 = await addComment(p.id, alice, "one");
    const c2 = await addComment(p.id, alice, "two");
    const url = `/api/projects/${p.id}`;
    if (mode === "warm") await warm(ctx.app, [url], [null, bob, owner, alice]);
    await voteComment(c1.id, 1, bob);
    await voteComment(c2.id, -1, owner);
    await voteComment(c1.id, -1, owner);
    const expected = new Map<Viewer, [number, number]>([
      [bob, [1, 0]],
      [owner, [-1, -1]],
      [alice, [0, 0]],
      [admin, [0, 0]],
      [null, [0, 0]],
    ]);
    for (let round = 0; round < 2; round++)
      for (const [v, [mine1, mine2]] of expected) {
        const d = await getJson(ctx.app, url, v);
        expect(d.comments.map((c: { score: number }) => c.score)).toEqual([0, -1]);
        expect(
          d.comments.map((c: { myVote: number }) => c.myVote),
          v?.name ?? "anonymous",
        ).toEqual([mine1, mine2]);
        expect(d.myVote).toBe(0);
      }
  });

  it.each([
    ["value 2", { value: 2 }],
    ['value "1"', { value: "1" }],
    ["value null", { value: null }],
    ["no value", {}],
  ])("rejects %s with 400 and writes nothing", async (_label, body) => {
    const p = await createProject(ctx.app, owner);
    const c = await addComment(p.id, alice, "x");
    const before = await checksum(ctx.sql);
    expectInvalid(await call(ctx.app, "POST", `/api/comments/${c.id}/vote`, { token: bob.token, body }), "value");
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it("answers 401 anonymous and 404 for unknown or malformed comments; writes nothing", async () => {
    const p = await createProject(ctx.app, owner);
    const c = await addComment(p.id, alice, "x");
    const before = await checksum(ctx.sql);
    expectError(await call(ctx.app, "POST", `/api/comments/${c.id}/vote`, { body: { value: 1 } }), 401);
    for (const id of [unknownId(), ...MALFORMED_IDS]) expectError(await voteComment(id, 1, bob), 404, "NOT_FOUND");
    expect(await checksum(ctx.sql)).toEqual(before);
  });
});
