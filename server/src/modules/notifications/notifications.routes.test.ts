import { beforeAll, describe, expect, it } from "vitest";
import { checksum, count, expectError, expectInvalid, getJson, unknownId } from "../../../test/api.js";
import { testApp, testUsers } from "../../../test/fixture.js";
import { call, createProject, signup, type TestContext, type TestUser } from "../../../test/helpers.js";

const a = testApp();
const b = testApp({ share: a });
const { admin } = testUsers(a, { admin: { admin: true } });

const inbox = (ctx: TestContext, u: TestUser, query = "") => getJson(ctx.app, `/api/notifications${query}`, u);
const kinds = async (u: TestUser) => (await inbox(a, u)).items.map((n: { kind: string }) => n.kind);

describe("notifications are written with the change, to each recipient SPEC names, never to the actor", () => {
  it("intro_received, intro_accepted, intro_declined", async () => {
    const [asker, maker] = [await signup(a.app), await signup(a.app)];
    const p = await createProject(a.app, maker, { title: "Pitch me" });
    const intro = (
      await call(a.app, "POST", "/api/intros", {
        token: asker.token,
        body: { toUserId: maker.id, projectId: p.id, message: "hi" },
      })
    ).json();
    const received = (await inbox(a, maker)).items[0];
    expect(received).toMatchObject({
      kind: "intro_received",
      actor: { id: asker.id, name: asker.name },
      project: { id: p.id, title: "Pitch me" },
      intro: { id: intro.id, status: "pending" },
      readAt: null,
    });
    expect(await kinds(asker)).toEqual([]);
    await call(a.app, "POST", `/api/intros/${intro.id}/accept`, { token: maker.token });
    expect((await inbox(a, asker)).items[0]).toMatchObject({
      kind: "intro_accepted",
      actor: { id: maker.id },
      intro: { id: intro.id, status: "accepted" },
    });
    const second = (
      await call(a.app, "POST", "/api/intros", { token: asker.token, body: { toUserId: maker.id, message: "again" } })
    ).json();
    await call(a.app, "POST", `/api/intros/${second.id}/decline`, { token: maker.token });
    expect(await kinds(asker)).toEqual(["intro_declined", "intro_accepted"]);
    expect(await kinds(maker)).toEqual(["intro_received", "intro_received"]);
  });

  it("comment (to the owner), reply (to the parent's author), one row per recipient, none for your own", async () => {
    const [owner, c1, c2] = [await signup(a.app), await signup(a.app), await signup(a.app)];
    const p = await createProject(a.app, owner);
    const url = `/api/projects/${p.id}/comments`;
    await call(a.app, "POST", url, { token: owner.token, body: { body: "my own" } });
    expect(await kinds(owner)).toEqual([]);
    const top = (await call(a.app, "POST", url, { token: c1.token, body: { body: "nice" } })).json();
    expect((await inbox(a, owner)).items[0]).toMatchObject({
      kind: "comment",
      actor: { id: c1.id },
      project: { id: p.id },
      comment: { id: top.id, body: "nice", parentId: null },
    });
    // c2 replies to c1: c1 gets a reply, the owner a comment.
    const reply = (
      await call(a.app, "POST", url, { token: c2.token, body: { body: "agreed", parentId: top.id } })
    ).json();
    expect((await inbox(a, c1)).items).toMatchObject([{ kind: "reply", comment: { id: reply.id, parentId: top.id } }]);
    expect(await kinds(owner)).toEqual(["comment", "comment"]);
    // The owner replies to c1 on their own project: c1 gets one reply, the owner nothing.
    await call(a.app, "POST", url, { token: owner.token, body: { body: "thanks", parentId: top.id } });
    expect(await kinds(c1)).toEqual(["reply", "reply"]);
    expect(await kinds(owner)).toEqual(["comment", "comment"]);
    // c1 replies to the owner's comment: the owner gets exactly one row (a reply), not a comment too.
    const ownComment = (await call(a.app, "POST", url, { token: owner.token, body: { body: "question" } })).json();
    await call(a.app, "POST", url, { token: c1.token, body: { body: "answer", parentId: ownComment.id } });
    expect(await kinds(owner)).toEqual(["reply", "comment", "comment"]);
  });

  it("badge_awarded and project_featured to the owner; unfeaturing notifies nobody", async () => {
    const owner = await signup(a.app);
    const p = await createProject(a.app, owner);
    await call(a.app, "POST", `/api/projects/${p.id}/badges`, { token: admin.token, body: { kind: "winner" } });
    await call(a.app, "POST", `/api/projects/${p.id}/feature`, { token: admin.token, body: { featured: true } });
    await call(a.app, "POST", `/api/projects/${p.id}/feature`, { token: admin.token, body: { featured: false } });
    await call(a.app, "POST", `/api/projects/${p.id}/feature`, { token: admin.token, body: { featured: false } });
    const items = (await inbox(a, owner)).items;
    expect(items.map((n: { kind: string }) => n.kind)).toEqual(["project_featured", "badge_awarded"]);
    expect(items[0]).toMatchObject({ actor: { id: admin.id }, project: { id: p.id } });
    // An admin featuring their own project is not notified.
    const own = await createProject(a.app, admin);
    await call(a.app, "POST", `/api/projects/${own.id}/feature`, { token: admin.token, body: { featured: true } });
    expect(await count(a.sql, "notifications", "user_id = $1", [admin.id])).toBe(0);
  });

  it("follow, and new_project to every follower of the maker (and no one else)", async () => {
    const [maker, f1, f2, stranger] = [
      await signup(a.app),
      await signup(a.app),
      await signup(a.app),
      await signup(a.app),
    ];
    await call(a.app, "POST", `/api/users/${maker.id}/follow`, { token: f1.token });
    await call(a.app, "POST", `/api/users/${maker.id}/follow`, { token: f2.token });
    expect((await inbox(a, maker)).items.map((n: { actor: { id: string } }) => n.actor.id)).toEqual([f2.id, f1.id]);
    const p = await createProject(a.app, maker, { title: "Fresh" });
    for (const f of [f1, f2])
      expect((await inbox(b, f)).items).toMatchObject([
        { kind: "new_project", actor: { id: maker.id }, project: { id: p.id, title: "Fresh" } },
      ]);
    expect(await kinds(stranger)).toEqual([]);
    expect(await kinds(maker)).toEqual(["follow", "follow"]);
  });

  it("a failed change writes no notification", async () => {
    const [owner, c] = [await signup(a.app), await signup(a.app)];
    const p = await createProject(a.app, owner);
    const before = await checksum(a.sql);
    const res = await call(a.app, "POST", `/api/projects/${p.id}/comments`, {
      token: c.token,
      body: { body: "x", parentId: unknownId() },
    });
    expect(res.statusCode).toBe(400);
    expect(await checksum(a.sql)).toEqual(before);
  });

  it("goes with its subject: deleting the project removes its notifications", async () => {
    const [owner, c] = [await signup(a.app), await signup(a.app)];
    const p = await createProject(a.app, owner);
    await call(a.app, "POST", `/api/projects/${p.id}/comments`, { token: c.token, body: { body: "hey" } });
    expect((await inbox(b, owner)).total).toBe(1);
    await call(a.app, "DELETE", `/api/projects/${p.id}`, { token: owner.token });
    expect(await inbox(b, owner)).toMatchObject({ items: [], total: 0, unreadCount: 0 });
  });
});

describe("GET /api/notifications", () => {
  let me: TestUser;
  beforeAll(async () => {
    me = await signup(a.app);
    const p = await createProject(a.app, me);
    for (let i = 0; i < 5; i++) {
      const u = await signup(a.app);
      await call(a.app, "POST", `/api/projects/${p.id}/comments`, { token: u.token, body: { body: `c${i}` } });
    }
  });

  it("pages newest first with total and unreadCount, private to the caller, never stored", async () => {
    const res = await call(a.app, "GET", "/api/notifications?pageSize=2", { token: me.token });
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const first = res.json();
    expect(first).toMatchObject({ page: 1, pageSize: 2, total: 5, unreadCount: 5 });
    expect(first.items.map((n: { comment: { body: string } }) => n.comment.body)).toEqual(["c4", "c3"]);
    for (const n of first.items)
      expect(Object.keys(n).sort()).toEqual(["actor", "comment", "createdAt", "id", "kind", "project", "readAt"]);
    const third = await inbox(a, me, "?pageSize=2&page=3");
    expect(third.items.map((n: { comment: { body: string } }) => n.comment.body)).toEqual(["c0"]);
    expect(await inbox(a, await signup(a.app))).toEqual({ items: [], page: 1, pageSize: 20, total: 0, unreadCount: 0 });
  });

  it("marks some read, then all; unread=true filters; others' ids change nothing", async () => {
    const all = (await inbox(a, me)).items as { id: string }[];
    const stranger = await signup(a.app);
    const before = await checksum(a.sql);
    const foreign = await call(a.app, "POST", "/api/notifications/read", {
      token: stranger.token,
      body: { ids: [all[0]!.id] },
    });
    expect(foreign.json()).toEqual({ updated: 0, unreadCount: 0 });
    expect(await checksum(a.sql)).toEqual(before);

    const some = await call(b.app, "POST", "/api/notifications/read", {
      token: me.token,
      body: { ids: [all[0]!.id, all[1]!.id] },
    });
    expect(some.statusCode).toBe(200);
    expect(some.json()).toEqual({ updated: 2, unreadCount: 3 });
    const unread = await inbox(a, me, "?unread=true");
    expect(unread).toMatchObject({ total: 3, unreadCount: 3 });
    expect(unread.items.map((n: { id: string }) => n.id)).toEqual(all.slice(2).map((n) => n.id));
    expect((await inbox(a, me)).items[0].readAt).not.toBeNull();

    // Without a body (or with {}), everything.
    const rest = await call(a.app, "POST", "/api/notifications/read", { token: me.token });
    expect(rest.json()).toEqual({ updated: 3, unreadCount: 0 });
    expect(await inbox(b, me, "?unread=true")).toMatchObject({ items: [], total: 0, unreadCount: 0 });
    expect((await call(a.app, "POST", "/api/notifications/read", { token: me.token, body: {} })).json()).toEqual({
      updated: 0,
      unreadCount: 0,
    });
  });

  it("deletes the caller's own (204); anyone else's, unknown or malformed ids are 404 and change nothing", async () => {
    const [first] = (await inbox(a, me)).items as { id: string }[];
    const stranger = await signup(a.app);
    const before = await checksum(a.sql);
    expectError(
      await call(a.app, "DELETE", `/api/notifications/${first!.id}`, { token: stranger.token }),
      404,
      "NOT_FOUND",
    );
    expectError(
      await call(a.app, "DELETE", `/api/notifications/${unknownId()}`, { token: me.token }),
      404,
      "NOT_FOUND",
    );
    expectError(await call(a.app, "DELETE", "/api/notifications/abc", { token: me.token }), 404);
    expectError(await call(a.app, "DELETE", `/api/notifications/${first!.id}`), 401, "UNAUTHORIZED");
    expect(await checksum(a.sql)).toEqual(before);
    const res = await call(a.app, "DELETE", `/api/notifications/${first!.id}`, { token: me.token });
    expect(res.statusCode).toBe(204);
    const after = await inbox(b, me);
    expect(after.total).toBe(4);
    expect(after.items.map((n: { id: string }) => n.id)).not.toContain(first!.id);
  });

  it("rejects bad input with 400 and anonymous callers with 401; writes nothing", async () => {
    const before = await checksum(a.sql);
    expectError(await call(a.app, "GET", "/api/notifications"), 401, "UNAUTHORIZED");
    expectError(await call(a.app, "POST", "/api/notifications/read", { body: {} }), 401, "UNAUTHORIZED");
    for (const q of ["?page=0", "?pageSize=101", "?unread=yes", "?page=x"])
      expectInvalid(await call(a.app, "GET", `/api/notifications${q}`, { token: me.token }));
    for (const body of [
      { ids: [] },
      { ids: ["abc"] },
      { ids: "all" },
      { ids: [null] },
      { ids: Array.from({ length: 501 }, unknownId) },
      [],
      "x",
    ])
      expectInvalid(await call(a.app, "POST", "/api/notifications/read", { token: me.token, body: body as never }));
    expect(await checksum(a.sql)).toEqual(before);
  });
});
