import { describe, expect, it } from "vitest";
import {
  CACHE_MODES,
  checksum,
  count,
  expectError,
  expectInvalid,
  getJson,
  MALFORMED_IDS,
  unknownId,
  type Viewer,
  warm,
} from "../../../test/api.js";
import { testApp, testUsers } from "../../../test/fixture.js";
import { call, createProject, type TestUser } from "../../../test/helpers.js";

const ctx = testApp();
const { owner, alice, bob, carol } = testUsers(ctx, { owner: "Owner", alice: "Alice", bob: "Bob", carol: "Carol" });

const viewers = (): Viewer[] => [owner, alice, bob, carol, null];

const up = (id: string, u: TestUser) => call(ctx.app, "POST", `/api/projects/${id}/upvote`, { token: u.token });
const down = (id: string, u: TestUser) => call(ctx.app, "POST", `/api/projects/${id}/downvote`, { token: u.token });
const remove = (id: string, u: TestUser) => call(ctx.app, "DELETE", `/api/projects/${id}/vote`, { token: u.token });
const vote = (projectId: string, value: unknown, u: TestUser) =>
  call(ctx.app, "POST", "/api/votes", { token: u.token, body: { projectId, value } });

/** The vote rows and the counters the trigger keeps, straight from the database. */
async function dbState(projectId: string) {
  const rows = await ctx.sql.query(
    `SELECT p.upvotes, p.downvotes, p.score,
            (SELECT count(*)::int FROM votes v WHERE v.project_id = p.id AND v.value = 1) AS "realUp",
            (SELECT count(*)::int FROM votes v WHERE v.project_id = p.id AND v.value = -1) AS "realDown"
       FROM projects p WHERE p.id = $1`,
    [projectId],
  );
  const r = rows.rows[0];
  expect(r.upvotes).toBe(r.realUp);
  expect(r.downvotes).toBe(r.realDown);
  expect(r.score).toBe(r.realUp - r.realDown);
  return { upvotes: r.upvotes as number, downvotes: r.downvotes as number, score: r.score as number };
}

describe("project votes through /upvote, /downvote and DELETE /vote", () => {
  it("casts, repeats (idempotent), switches and removes a vote", async () => {
    const p = await createProject(ctx.app, owner);
    const first = await up(p.id, alice);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ projectId: p.id, myVote: 1, score: 1, upvotes: 1, downvotes: 0 });

    const again = await up(p.id, alice);
    expect(again.json()).toEqual({ projectId: p.id, myVote: 1, score: 1, upvotes: 1, downvotes: 0 });
    expect(await count(ctx.sql, "votes", "project_id = $1", [p.id])).toBe(1);

    const switched = await down(p.id, alice);
    expect(switched.json()).toEqual({ projectId: p.id, myVote: -1, score: -1, upvotes: 0, downvotes: 1 });
    expect(await count(ctx.sql, "votes", "project_id = $1", [p.id])).toBe(1);
    const downAgain = await down(p.id, alice);
    expect(downAgain.json()).toMatchObject({ myVote: -1, score: -1, downvotes: 1 });

    const removed = await remove(p.id, alice);
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toEqual({ projectId: p.id, myVote: 0, score: 0, upvotes: 0, downvotes: 0 });
    const removedAgain = await remove(p.id, alice);
    expect(removedAgain.json()).toMatchObject({ myVote: 0, score: 0 });
    expect(await count(ctx.sql, "votes", "project_id = $1", [p.id])).toBe(0);
    expect(await dbState(p.id)).toEqual({ upvotes: 0, downvotes: 0, score: 0 });
  });

  it("counts several voters", async () => {
    const p = await createProject(ctx.app, owner);
    await up(p.id, alice);
    await up(p.id, bob);
    const last = await down(p.id, carol);
    expect(last.json()).toMatchObject({ myVote: -1, score: 1, upvotes: 2, downvotes: 1 });
    expect(await dbState(p.id)).toEqual({ upvotes: 2, downvotes: 1, score: 1 });
  });

  it("lets owners vote on their own project", async () => {
    const p = await createProject(ctx.app, owner);
    expect((await up(p.id, owner)).json()).toMatchObject({ myVote: 1, score: 1 });
  });

  it("requires a signed-in user (401) and writes nothing", async () => {
    const p = await createProject(ctx.app, owner);
    const before = await checksum(ctx.sql);
    for (const [method, path] of [
      ["POST", `/api/projects/${p.id}/upvote`],
      ["POST", `/api/projects/${p.id}/downvote`],
      ["DELETE", `/api/projects/${p.id}/vote`],
    ] as const)
      expectError(await call(ctx.app, method, path), 401, "UNAUTHORIZED");
    expectError(await call(ctx.app, "POST", "/api/votes", { body: { projectId: p.id, value: 1 } }), 401);
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it("answers 404 for unknown and malformed project ids and writes nothing", async () => {
    const before = await checksum(ctx.sql);
    for (const id of [unknownId(), ...MALFORMED_IDS]) {
      expectError(await up(id, alice), 404, "NOT_FOUND");
      expectError(await down(id, alice), 404, "NOT_FOUND");
      expectError(await remove(id, alice), 404, "NOT_FOUND");
    }
    expect(await checksum(ctx.sql)).toEqual(before);
  });
});

describe("POST /api/votes", () => {
  it("casts 1, switches to -1 and removes with 0", async () => {
    const p = await createProject(ctx.app, owner);
    expect((await vote(p.id, 1, bob)).json()).toEqual({
      projectId: p.id,
      myVote: 1,
      score: 1,
      upvotes: 1,
      downvotes: 0,
    });
    expect((await vote(p.id, 1, bob)).json()).toMatchObject({ myVote: 1, score: 1, upvotes: 1 });
    expect((await vote(p.id, -1, bob)).json()).toMatchObject({ myVote: -1, score: -1, upvotes: 0, downvotes: 1 });
    expect((await vote(p.id, 0, bob)).json()).toMatchObject({ myVote: 0, score: 0, upvotes: 0, downvotes: 0 });
    expect((await vote(p.id, 0, bob)).json()).toMatchObject({ myVote: 0, score: 0 });
    expect(await count(ctx.sql, "votes", "project_id = $1", [p.id])).toBe(0);
  });

  it("shares one vote with the per-project routes", async () => {
    const p = await createProject(ctx.app, owner);
    await up(p.id, carol);
    expect((await vote(p.id, -1, carol)).json()).toMatchObject({ score: -1, upvotes: 0, downvotes: 1 });
    expect((await remove(p.id, carol)).json()).toMatchObject({ score: 0, downvotes: 0 });
  });

  it.each([
    ["value 2", { value: 2 }, "value"],
    ["value -2", { value: -2 }, "value"],
    ["value 0.5", { value: 0.5 }, "value"],
    ['value "1"', { value: "1" }, "value"],
    ["value true", { value: true }, "value"],
    ["value null", { value: null }, "value"],
    ["no value", { value: undefined }, "value"],
    ["no projectId", { projectId: undefined }, "projectId"],
    ["a malformed projectId", { projectId: "abc" }, "projectId"],
    ["a numeric projectId", { projectId: 5 }, "projectId"],
  ])("rejects %s with 400 and writes nothing", async (_label, patch, path) => {
    const p = await createProject(ctx.app, owner);
    const before = await checksum(ctx.sql);
    const body = { projectId: p.id, value: 1, ...patch };
    expectInvalid(await call(ctx.app, "POST", "/api/votes", { token: alice.token, body }), path);
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it("rejects a body that is not an object with 400", async () => {
    for (const body of [null, [], 1, "vote"])
      expectInvalid(await call(ctx.app, "POST", "/api/votes", { token: alice.token, body }));
  });

  it("answers 404 for an unknown project and writes nothing", async () => {
    const before = await checksum(ctx.sql);
    expectError(await vote(unknownId(), 1, alice), 404, "NOT_FOUND");
    expectError(await vote(unknownId(), 0, alice), 404, "NOT_FOUND");
    expect(await checksum(ctx.sql)).toEqual(before);
  });
});

describe("reading votes back", () => {
  it.each(CACHE_MODES)("shows new counts everywhere, to everyone (%s cache)", async (mode) => {
    const p = await createProject(ctx.app, owner);
    const urls = [
      `/api/projects/${p.id}`,
      "/api/projects?sort=top&pageSize=100",
      "/api/projects?sort=newest&pageSize=100",
      "/api/projects?pageSize=100",
      "/api/leaderboard",
      `/api/users/${owner.id}`,
    ];
    if (mode === "warm") await warm(ctx.app, urls, viewers());
    const steps: [() => Promise<unknown>, { score: number; upvotes: number; downvotes: number }][] = [
      [() => up(p.id, alice), { score: 1, upvotes: 1, downvotes: 0 }],
      [() => up(p.id, bob), { score: 2, upvotes: 2, downvotes: 0 }],
      [() => down(p.id, alice), { score: 0, upvotes: 1, downvotes: 1 }],
      [() => vote(p.id, 0, bob), { score: -1, upvotes: 0, downvotes: 1 }],
      [() => remove(p.id, alice), { score: 0, upvotes: 0, downvotes: 0 }],
    ];
    for (const [act, expected] of steps) {
      await act();
      for (const v of viewers()) {
        expect(await getJson(ctx.app, `/api/projects/${p.id}`, v)).toMatchObject(expected);
        for (const url of urls.slice(1, 4)) {
          const item = (await getJson(ctx.app, url, v)).items.find((i: { id: string }) => i.id === p.id);
          expect(item, url).toMatchObject(expected);
        }
        const profile = await getJson(ctx.app, `/api/users/${owner.id}`, v);
        expect(profile.projects.find((i: { id: string }) => i.id === p.id)).toMatchObject(expected);
      }
    }
  });

  it.each(CACHE_MODES)("reports myVote per caller and never leaks it through the cache (%s cache)", async (mode) => {
    const p = await createProject(ctx.app, owner);
    const url = `/api/projects/${p.id}`;
    // Read in both orders: a voter first, then others, and anonymous first.
    if (mode === "warm") await warm(ctx.app, [url], [null, alice, bob, carol]);
    await up(p.id, alice);
    if (mode === "warm") await warm(ctx.app, [url], [alice, null, bob]);
    await down(p.id, bob);
    const mine = new Map<Viewer, number>([
      [alice, 1],
      [bob, -1],
      [carol, 0],
      [owner, 0],
      [null, 0],
    ]);
    for (let round = 0; round < 2; round++)
      for (const [v, expected] of mine) {
        const d = await getJson(ctx.app, url, v);
        expect(d.myVote, v?.name ?? "anonymous").toBe(expected);
        expect(d).toMatchObject({ score: 0, upvotes: 1, downvotes: 1 });
      }
    await remove(p.id, alice);
    expect((await getJson(ctx.app, url, alice)).myVote).toBe(0);
    expect((await getJson(ctx.app, url, bob)).myVote).toBe(-1);
    expect((await getJson(ctx.app, url)).myVote).toBe(0);
  });

  it("ranks the leaderboard by the new score after a vote (warm cache)", async () => {
    const a = await createProject(ctx.app, owner, { title: "Leader A" });
    const b = await createProject(ctx.app, owner, { title: "Leader B" });
    for (const u of [alice, bob, carol]) await up(a.id, u);
    await warm(ctx.app, ["/api/leaderboard"], viewers());
    const rank = (board: { projects: { rank: number; project: { id: string } }[] }, id: string) =>
      board.projects.find((e) => e.project.id === id)?.rank;
    const before = await getJson(ctx.app, "/api/leaderboard");
    expect(rank(before, a.id)).toBeLessThan(rank(before, b.id) ?? Number.POSITIVE_INFINITY);
    for (const u of [alice, bob, carol]) await down(a.id, u);
    for (const u of [alice, bob, carol, owner]) await up(b.id, u);
    for (const v of viewers()) {
      const board = await getJson(ctx.app, "/api/leaderboard", v);
      expect(board.projects[0].project).toMatchObject({ id: b.id, score: 4 });
      expect(board.projects.map((e: { rank: number }) => e.rank)).toEqual(
        board.projects.map((_: unknown, i: number) => i + 1),
      );
      // A may have dropped out of the top 10; if it is listed, it must show its new score.
      const entryA = board.projects.find((e: { project: { id: string } }) => e.project.id === a.id);
      if (entryA) expect(entryA.project.score).toBe(-3);
    }
  });
});
