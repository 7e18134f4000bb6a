import { beforeAll, describe, expect, it } from "vitest";
import { expectError, expectInvalid, getJson, unknownId } from "../../../test/api.js";
import { testApp, testUsers } from "../../../test/fixture.js";
import { call, createProject, signup } from "../../../test/helpers.js";

const a = testApp();
const b = testApp({ share: a });
const { owner } = testUsers(a, { owner: {} });
let projectId: string;
/** Thread roots, oldest first; root i was created i minutes after the first. */
const roots: string[] = [];
let replyToOldest = "";

const THREADS = 205;

beforeAll(async () => {
  projectId = (await createProject(a.app, owner)).id;
  // 205 threads written directly, one minute apart (the API would take its rate limits' time).
  const rows = await a.sql.query(
    `INSERT INTO comments (project_id, author_id, body, created_at)
     SELECT $1, $2, 'thread ' || i, now() - interval '1 day' + i * interval '1 minute'
       FROM generate_series(0, ${THREADS - 1}) i
     RETURNING id::text, body`,
    [projectId, owner.id],
  );
  const byIndex = new Map(rows.rows.map((r: { id: string; body: string }) => [Number(r.body.split(" ")[1]), r.id]));
  for (let i = 0; i < THREADS; i++) roots.push(byIndex.get(i)!);
  // A reply to thread 1, written long ago too (thread 1 stays old).
  const reply = await a.sql.query(
    `INSERT INTO comments (project_id, author_id, body, parent_id, created_at)
     VALUES ($1, $2, 'old reply', $3, now() - interval '1 day' + interval '90 seconds') RETURNING id::text`,
    [projectId, owner.id, roots[1]],
  );
  replyToOldest = reply.rows[0].id;
});

const P = () => `/api/projects/${projectId}`;

describe("comment threads", () => {
  it("the project page holds the newest 200 threads, oldest comment first, and a cursor to the rest", async () => {
    const detail = await getJson(a.app, P());
    const ids = detail.comments.map((c: { id: string }) => c.id);
    expect(ids).toHaveLength(200);
    expect(ids).toEqual(roots.slice(THREADS - 200));
    expect(detail.commentCount).toBe(THREADS + 1);
    expect(detail.commentsCursor).toMatch(/^\d+_[0-9a-f-]{36}$/);
  });

  it("GET /comments?before= pages the older threads newest first, with their replies, to the end", async () => {
    const detail = await getJson(a.app, P());
    const page = await getJson(a.app, `${P()}/comments?before=${detail.commentsCursor}&limit=3`);
    expect(page.items.map((t: { id: string }) => t.id)).toEqual([roots[4], roots[3], roots[2]]);
    const last = await getJson(a.app, `${P()}/comments?before=${page.nextCursor}&limit=3`);
    expect(last.items.map((t: { id: string }) => t.id)).toEqual([roots[1], roots[0]]);
    expect(last.items[0].replies.map((r: { id: string; parentId: string }) => [r.id, r.parentId])).toEqual([
      [replyToOldest, roots[1]],
    ]);
    expect(last.items[1].replies).toEqual([]);
    expect(last.nextCursor).toBeNull();
    expect(Object.keys(last.items[0]).sort()).toEqual(
      ["author", "body", "createdAt", "id", "myVote", "parentId", "projectId", "replies", "score", "updatedAt"].sort(),
    );
    // Without a cursor: the newest threads, default 50.
    const newest = await getJson(a.app, `${P()}/comments`);
    expect(newest.items).toHaveLength(50);
    expect(newest.items[0].id).toBe(roots[THREADS - 1]);
  });

  it("a new reply to an old thread brings it onto the project page at once, on both instances", async () => {
    const voter = await signup(a.app);
    for (const ctx of [a, b]) await getJson(ctx.app, P());
    const res = await call(a.app, "POST", `${P()}/comments`, {
      token: voter.token,
      body: { body: "necro", parentId: roots[0] },
    });
    expect(res.statusCode).toBe(201);
    for (const ctx of [a, b]) {
      const ids = (await getJson(ctx.app, P())).comments.map((c: { id: string }) => c.id);
      expect(ids).toContain(res.json().id);
      expect(ids).toContain(roots[0]);
      expect(ids).toHaveLength(201);
    }
    await call(a.app, "POST", `/api/comments/${roots[2]}/vote`, { token: voter.token, body: { value: 1 } });
    const detail = await getJson(b.app, P(), voter);
    const older = await getJson(b.app, `${P()}/comments?before=${detail.commentsCursor}`, voter);
    expect(older.items.find((t: { id: string }) => t.id === roots[2])).toMatchObject({ score: 1, myVote: 1 });
    const anon = await getJson(b.app, `${P()}/comments?before=${detail.commentsCursor}`);
    expect(anon.items.find((t: { id: string }) => t.id === roots[2])).toMatchObject({ score: 1, myVote: 0 });
  });

  it("rejects bad cursors and limits (400) and unknown projects (404)", async () => {
    for (const q of [
      "before=",
      "before=abc",
      "before=1_notauuid",
      `before=${"1".repeat(300)}`,
      "limit=0",
      "limit=101",
      "limit=x",
    ])
      expectInvalid(await call(a.app, "GET", `${P()}/comments?${q}`));
    expectError(await call(a.app, "GET", `/api/projects/${unknownId()}/comments`), 404, "NOT_FOUND");
    expectError(await call(a.app, "GET", "/api/projects/abc/comments"), 404);
  });
});
