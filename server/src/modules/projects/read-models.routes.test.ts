/**
 * One shape per read model: what a mutation answers is, field for field and in
 * the same order, what a read of the same row shows afterwards (projects.sql.ts
 * builds both). The mappers this replaced ordered badges of the same instant
 * differently from the reads; the tie is set up on purpose below. A UserRef is
 * built in SQL (inside summaries and comments) and in TS (intros, messages,
 * notifications, leaderboard makers): the last test holds them to one output.
 */
import { describe, expect, it } from "vitest";
import { getJson } from "../../../test/api.js";
import { testApp, testUsers } from "../../../test/fixture.js";
import { call, createProject, signup } from "../../../test/helpers.js";

const ctx = testApp();
const { owner, admin } = testUsers(ctx, { owner: "Owner", admin: { name: "Admin", admin: true } });

/** A read's item without the caller's own vote (mutation answers carry none). */
const withoutMyVote = ({ myVote: _, ...rest }: Record<string, unknown>) => rest;

/** Key order matters too: clients and caches see the JSON text. */
const expectSameJson = (answer: unknown, read: unknown) => {
  expect(answer).toEqual(read);
  expect(JSON.stringify(answer)).toBe(JSON.stringify(read));
};

async function summaryReads(id: string) {
  const feed = await getJson(ctx.app, "/api/projects?sort=newest&pageSize=100");
  const profile = await getJson(ctx.app, `/api/users/${owner.id}`);
  const detail = await getJson(ctx.app, `/api/projects/${id}`);
  const { comments: _c, commentsCursor: _cc, ...detailSummary } = withoutMyVote(detail);
  return [
    withoutMyVote(feed.items.find((p: { id: string }) => p.id === id)),
    profile.projects.find((p: { id: string }) => p.id === id),
    detailSummary,
  ];
}

describe("ProjectSummary", () => {
  it("is the same from create, edit and feature as from the feed, the profile and the project page", async () => {
    const created = await call(ctx.app, "POST", "/api/projects", {
      token: owner.token,
      body: { title: "Shapes", description: "One builder", url: "https://example.com/s", tags: ["b", "a"] },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    for (const read of await summaryReads(id)) expectSameJson(created.json(), read);

    // Two badges of the same instant (one transaction), to pin their order.
    await ctx.sql.query(
      `INSERT INTO badges (project_id, kind, created_at)
       SELECT $1, k::badge_kind, '2026-01-01T00:00:00Z' FROM unnest(ARRAY['staff_pick', 'winner']) k`,
      [id],
    );
    const edited = await call(ctx.app, "PATCH", `/api/projects/${id}`, {
      token: owner.token,
      body: { title: "Shapes 2" },
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().badges).toHaveLength(2);
    for (const read of await summaryReads(id)) expectSameJson(edited.json(), read);

    const featured = await call(ctx.app, "POST", `/api/projects/${id}/feature`, {
      token: admin.token,
      body: { featured: true },
    });
    expect(featured.statusCode).toBe(200);
    expect(featured.json().featured).toBe(true);
    for (const read of await summaryReads(id)) expectSameJson(featured.json(), read);
  });
});

describe("Comment", () => {
  it("is the same from add and edit as on the project page and in the comment pages", async () => {
    const { id } = (
      await call(ctx.app, "POST", "/api/projects", { token: owner.token, body: { title: "Talk" } })
    ).json();
    const reads = async (commentId: string) => {
      const detail = await getJson(ctx.app, `/api/projects/${id}`);
      const page = await getJson(ctx.app, `/api/projects/${id}/comments`);
      const threads = page.items.flatMap(({ replies, ...root }: { replies: unknown[] }) => [root, ...replies]);
      return [
        detail.comments.find((c: { id: string }) => c.id === commentId),
        threads.find((c: { id: string }) => c.id === commentId),
      ];
    };

    const root = await call(ctx.app, "POST", `/api/projects/${id}/comments`, {
      token: admin.token,
      body: { body: "  First!  " },
    });
    expect(root.statusCode).toBe(201);
    const reply = await call(ctx.app, "POST", `/api/projects/${id}/comments`, {
      token: owner.token,
      body: { body: "Thanks", parentId: root.json().id },
    });
    expect(reply.statusCode).toBe(201);
    for (const added of [root, reply])
      for (const read of await reads(added.json().id)) expectSameJson(added.json(), read);

    const edited = await call(ctx.app, "PATCH", `/api/comments/${reply.json().id}`, {
      token: owner.token,
      body: { body: "Thanks, really" },
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().body).toBe("Thanks, really");
    for (const read of await reads(reply.json().id)) expectSameJson(edited.json(), read);
  });
});

describe("UserRef", () => {
  it("shows a user the same in SQL-built models (owner, author) and TS-built ones (intro, conversation, notification, leaderboard)", async () => {
    const maker = await signup(ctx.app, { name: "Ref Maker" });
    const fan = await signup(ctx.app, { name: "Ref Fan" });
    const patched = await call(ctx.app, "PATCH", "/api/users/me", {
      token: maker.token,
      body: { avatarUrl: "https://example.com/a.png" },
    });
    expect(patched.statusCode).toBe(200);
    const expected = { id: maker.id, name: "Ref Maker", avatarUrl: "https://example.com/a.png" };

    const project = await createProject(ctx.app, maker, { title: "Refs" });
    const comment = await call(ctx.app, "POST", `/api/projects/${project.id}/comments`, {
      token: maker.token,
      body: { body: "hi" },
    });
    const intro = await call(ctx.app, "POST", "/api/intros", {
      token: maker.token,
      body: { toUserId: fan.id, message: "hello" },
    });
    await call(ctx.app, "POST", "/api/messages", { token: maker.token, body: { toUserId: fan.id, body: "hi" } });

    const detail = await getJson(ctx.app, `/api/projects/${project.id}`);
    const board = await getJson(ctx.app, "/api/leaderboard");
    const refs = {
      "project owner (SQL)": detail.owner,
      "comment author (SQL)": detail.comments[0].author,
      "added comment author (SQL)": comment.json().author,
      "intro fromUser (TS)": intro.json().fromUser,
      "conversation user (TS)": (await getJson(ctx.app, "/api/conversations", fan))[0].user,
      "notification actor (TS)": (await getJson(ctx.app, "/api/notifications", fan)).items[0].actor,
      "leaderboard maker (TS)": board.makers.find((m: { user: { id: string } }) => m.user.id === maker.id).user,
    };
    for (const [where, ref] of Object.entries(refs)) expect(JSON.stringify(ref), where).toBe(JSON.stringify(expected));
  });
});
