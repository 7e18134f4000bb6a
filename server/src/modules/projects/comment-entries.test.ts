/**
 * The project page's comments are cached packed (comment-entries.ts) and
 * rendered per read: what the API answers must be exactly what PostgreSQL built
 * when the entry held the finished JSON (the reference query below is that
 * code), for awkward bodies, edited comments, avatars, replies and the
 * caller's own votes; and the entry must stay small.
 */

import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJson } from "../../../test/api.js";
import { call, createProject, setupApp, signup, type TestContext, type TestUser } from "../../../test/helpers.js";
import { commentJson } from "./projects.sql.js";

let ctx: TestContext;
let owner: TestUser;
let viewer: TestUser;
let projectId: string;

const BODIES = [
  'quotes " and \\ backslashes',
  "line\nbreaks\r\nand\ttabs",
  "unicode: café, 東京, emoji 🚀, RTL שלום",
  "control \u0001 \u001f chars",
  "</script><b>not html</b>",
  "plain",
];

beforeAll(async () => {
  ctx = await setupApp();
  owner = await signup(ctx.app);
  viewer = await signup(ctx.app);
  await call(ctx.app, "PATCH", "/api/users/me", {
    token: viewer.token,
    body: { avatarUrl: "https://example.com/a.png?x=1&y=\u00e9" },
  });
  projectId = (await createProject(ctx.app, owner)).id;
  // Roots, replies and replies to replies, at microsecond timestamps, by two authors.
  const roots = await ctx.sql.query<{ id: string }>(
    `INSERT INTO comments (project_id, author_id, body, created_at)
     SELECT $1, (ARRAY[$2, $3]::uuid[])[1 + i % 2], ($4::text[])[1 + i % 6],
            now() - interval '1 day' + i * interval '1 minute 0.000777 second'
       FROM generate_series(0, 29) i RETURNING id::text`,
    [projectId, owner.id, viewer.id, BODIES],
  );
  const replies = await ctx.sql.query<{ id: string }>(
    `INSERT INTO comments (project_id, author_id, parent_id, body, created_at)
     SELECT $1, $2, r, 'reply to ' || r, now() - interval '1 hour' + n * interval '1.000321 second'
       FROM unnest($3::uuid[]) WITH ORDINALITY AS x(r, n) RETURNING id::text`,
    [projectId, owner.id, roots.rows.slice(0, 10).map((r) => r.id)],
  );
  await ctx.sql.query(
    `INSERT INTO comments (project_id, author_id, parent_id, body) VALUES ($1, $2, $3, 'a reply to a reply')`,
    [projectId, viewer.id, replies.rows[0]!.id],
  );
  // An edited comment (updatedAt after createdAt) and comment votes (scores, and the viewer's own).
  await ctx.sql.query(`UPDATE comments SET body = 'edited', updated_at = now() WHERE id = $1`, [roots.rows[3]!.id]);
  for (const [i, value] of [
    [0, 1],
    [4, -1],
  ] as const)
    await call(ctx.app, "POST", `/api/comments/${roots.rows[i]!.id}/vote`, { token: viewer.token, body: { value } });
});
afterAll(async () => {
  await ctx?.close();
});

/**
 * The comments as PostgreSQL builds a Comment (`commentJson`, the one SQL
 * definition mutations answer with), oldest first, with the viewer's votes.
 */
async function reference(userId: string | null) {
  const rows = await ctx.sql.query<{ json: { id: string; body: string; myVote: number }; mine: number | null }>(
    `SELECT ${commentJson()} AS json,
            (SELECT value FROM comment_votes v WHERE v.comment_id = c.id AND v.user_id = $2::uuid) AS mine
       FROM comments c JOIN users a ON a.id = c.author_id WHERE c.project_id = $1 ORDER BY c.created_at, c.id`,
    [projectId, userId],
  );
  return rows.rows.map((r) => ({ ...r.json, myVote: r.mine ?? 0 }));
}

describe("packed comment entries", () => {
  it("render exactly the comments PostgreSQL built, anonymous and signed in", async () => {
    const anon = await getJson(ctx.app, `/api/projects/${projectId}`);
    expect(anon.comments).toHaveLength(41);
    expect(anon.comments).toEqual(await reference(null));
    expect(anon.myVote).toBe(0);
    // Cached now: the second read renders from the entry.
    expect((await getJson(ctx.app, `/api/projects/${projectId}`)).comments).toEqual(await reference(null));
    const mine = await getJson(ctx.app, `/api/projects/${projectId}`, viewer);
    expect(mine.comments).toEqual(await reference(viewer.id));
    expect(mine.comments.filter((c: { myVote: number }) => c.myVote !== 0)).toHaveLength(2);
    // Keys in the contract's order, the summary's fields first.
    expect(Object.keys(anon)).toEqual([
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
      "badges",
      "createdAt",
      "updatedAt",
      "myVote",
      "comments",
      "commentsCursor",
    ]);
    expect(Object.keys(anon.comments[0])).toEqual([
      "id",
      "projectId",
      "body",
      "score",
      "parentId",
      "author",
      "myVote",
      "createdAt",
      "updatedAt",
    ]);
  });

  it("render thread pages the same way", async () => {
    const page = await getJson(ctx.app, `/api/projects/${projectId}/comments?limit=100`, viewer);
    const byId = new Map((await reference(viewer.id)).map((c) => [(c as { id: string }).id, c]));
    expect(page.items).toHaveLength(30);
    for (const t of page.items) {
      const { replies, ...root } = t;
      expect(root).toEqual(byId.get(root.id));
      for (const r of replies) expect(r).toEqual(byId.get(r.id));
    }
    expect(page.items.flatMap((t: { replies: unknown[] }) => t.replies)).toHaveLength(11);
  });

  it("keep the entry small: no project id, author or myVote repeated per comment", async () => {
    await getJson(ctx.app, `/api/projects/${projectId}`);
    const redis = new Redis(ctx.config.redisUrl!);
    try {
      const keys = (await redis.keys(`${ctx.config.redisKeyPrefix}c:project-comments:${projectId}|*`)).filter(
        (k) => !k.endsWith("|^") && !k.endsWith(":lease"),
      );
      expect(keys.length).toBeGreaterThan(0);
      const entry = (await redis.get(keys.at(-1)!))!;
      const comments = await reference(null);
      const bodies = comments.reduce<number>((n, c) => n + JSON.stringify(c.body).length, 0);
      // Per comment beyond its body: id, parent id, score, author index, two timestamps.
      expect((entry.length - bodies) / comments.length).toBeLessThan(110);
      const rendered = JSON.stringify(comments).length;
      expect(entry.length).toBeLessThan(rendered / 2);
    } finally {
      redis.disconnect();
    }
  });
});
