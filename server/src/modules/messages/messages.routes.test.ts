import { describe, expect, it } from "vitest";
import {
  CACHE_MODES,
  checksum,
  count,
  expectError,
  expectInvalid,
  getJson,
  keysOf,
  MALFORMED_IDS,
  unknownId,
  warm,
} from "../../../test/api.js";
import { testApp } from "../../../test/fixture.js";
import { call, signup, signupAll, type TestUser } from "../../../test/helpers.js";

const ctx = testApp();

const people = () => signupAll(ctx.app, { ann: "Ann", ben: "Ben", cat: "Cat" });

async function send(from: TestUser, to: TestUser, body: string) {
  const res = await call(ctx.app, "POST", "/api/messages", { token: from.token, body: { toUserId: to.id, body } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; body: string; readAt: string | null };
}

type Summary = { user: { id: string; name: string }; lastMessage: { id: string; body: string }; unreadCount: number };
const conversations = async (u: TestUser) => (await getJson(ctx.app, "/api/conversations", u)) as Summary[];
const readAtOf = async (id: string) =>
  (await ctx.sql.query("SELECT read_at FROM messages WHERE id = $1", [id])).rows[0].read_at as Date | null;

describe("POST /api/messages", () => {
  it("sends a message (201) stored as typed", async () => {
    const { ann, ben } = await people();
    const res = await call(ctx.app, "POST", "/api/messages", {
      token: ann.token,
      body: { toUserId: ben.id, body: "  <i>hi</i> Ben  " },
    });
    expect(res.statusCode).toBe(201);
    const m = res.json();
    expect(m).toMatchObject({ senderId: ann.id, recipientId: ben.id, body: "<i>hi</i> Ben", readAt: null });
    expect(Date.parse(m.createdAt)).not.toBeNaN();
    expect(await count(ctx.sql, "messages", "id = $1 AND body = $2", [m.id, "<i>hi</i> Ben"])).toBe(1);
  });

  it("accepts a 2,000-char body", async () => {
    const { ann, ben } = await people();
    expect((await send(ann, ben, "x".repeat(2000))).body).toHaveLength(2000);
  });

  it.each([
    ["an empty body", { body: "" }, "body"],
    ["a blank body", { body: "   " }, "body"],
    ["a 2,001-char body", { body: "x".repeat(2001) }, "body"],
    ["no body", { body: undefined }, "body"],
    ["an object body", { body: { text: "hi" } }, "body"],
    ["no toUserId", { toUserId: undefined }, "toUserId"],
    ["a malformed toUserId", { toUserId: "ben" }, "toUserId"],
  ])("rejects %s with 400 and writes nothing", async (_label, patch, path) => {
    const { ann, ben } = await people();
    const before = await checksum(ctx.sql);
    const body = { toUserId: ben.id, body: "hi", ...patch };
    expectInvalid(await call(ctx.app, "POST", "/api/messages", { token: ann.token, body }), path);
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it("refuses messages to yourself (400), to nobody (404) and from anonymous (401); writes nothing", async () => {
    const { ann, ben } = await people();
    const before = await checksum(ctx.sql);
    expectInvalid(
      await call(ctx.app, "POST", "/api/messages", { token: ann.token, body: { toUserId: ann.id, body: "me" } }),
      "toUserId",
    );
    expectError(
      await call(ctx.app, "POST", "/api/messages", { token: ann.token, body: { toUserId: unknownId(), body: "x" } }),
      404,
      "NOT_FOUND",
    );
    expectError(await call(ctx.app, "POST", "/api/messages", { body: { toUserId: ben.id, body: "x" } }), 401);
    expect(await checksum(ctx.sql)).toEqual(before);
  });
});

describe("GET /api/conversations", () => {
  it("lists conversations, newest first, with the last message and the caller's unread count", async () => {
    const { ann, ben, cat } = await people();
    await send(ben, ann, "one");
    await send(ben, ann, "two");
    await send(ann, ben, "three");
    await send(cat, ann, "from cat");
    const forAnn = await conversations(ann);
    expect(forAnn.map((c) => c.user.id)).toEqual([cat.id, ben.id]);
    expect(forAnn[0]).toMatchObject({ user: { name: "Cat" }, lastMessage: { body: "from cat" }, unreadCount: 1 });
    expect(forAnn[1]).toMatchObject({ user: { name: "Ben" }, lastMessage: { body: "three" }, unreadCount: 2 });
    const forBen = await conversations(ben);
    expect(forBen).toHaveLength(1);
    expect(forBen[0]).toMatchObject({ user: { id: ann.id }, lastMessage: { body: "three" }, unreadCount: 1 });
    for (const secret of ["email", "passwordHash"]) expect(keysOf(forAnn).has(secret)).toBe(false);
  });

  it("shows an outsider nothing of other people's conversations", async () => {
    const { ann, ben } = await people();
    await send(ann, ben, "private");
    const outsider = await signup(ctx.app);
    expect(await conversations(outsider)).toEqual([]);
    expect(JSON.stringify(await getJson(ctx.app, "/api/intros", outsider))).not.toContain("private");
  });

  it("requires a signed-in user", async () => {
    expectError(await call(ctx.app, "GET", "/api/conversations"), 401, "UNAUTHORIZED");
  });

  it.each(CACHE_MODES)("shows a new message and unread count to both sides at once (%s read)", async (mode) => {
    const { ann, ben } = await people();
    await send(ann, ben, "first");
    if (mode === "warm") await warm(ctx.app, ["/api/conversations", `/api/conversations/${ann.id}`], [ben]);
    if (mode === "warm") await warm(ctx.app, ["/api/conversations", `/api/conversations/${ben.id}`], [ann]);
    await send(ann, ben, "second");
    // Warming read the conversation, which changes nothing: both are still unread.
    expect((await conversations(ben))[0]).toMatchObject({ lastMessage: { body: "second" }, unreadCount: 2 });
    expect((await conversations(ann))[0]).toMatchObject({ lastMessage: { body: "second" }, unreadCount: 0 });
  });
});

describe("GET /api/conversations/:userId and POST …/read", () => {
  it("returns the messages oldest first and changes nothing; the POST marks only the incoming ones read", async () => {
    const { ann, ben } = await people();
    const m1 = await send(ben, ann, "b1");
    const m2 = await send(ann, ben, "a1");
    const m3 = await send(ben, ann, "b2");
    const thread = await getJson(ctx.app, `/api/conversations/${ben.id}`, ann);
    expect(thread.map((m: { id: string }) => m.id)).toEqual([m1.id, m2.id, m3.id]);
    // Reading changes nothing (a GET a cross-site page can trigger must not mark anything).
    for (const m of [m1, m2, m3]) expect(await readAtOf(m.id)).toBeNull();
    expect((await conversations(ann))[0]?.unreadCount).toBe(2);
    const marked = await call(ctx.app, "POST", `/api/conversations/${ben.id}/read`, { token: ann.token });
    expect(marked.statusCode).toBe(200);
    expect(marked.json()).toMatchObject({ count: 2 });
    expect(await readAtOf(m1.id)).not.toBeNull();
    expect(await readAtOf(m3.id)).not.toBeNull();
    expect(await readAtOf(m2.id)).toBeNull();
    expect((await conversations(ann))[0]?.unreadCount).toBe(0);
    expect((await conversations(ben))[0]?.unreadCount).toBe(1);
    // Read again: the read messages say so.
    const again = await getJson(ctx.app, `/api/conversations/${ben.id}`, ann);
    expect(again.find((m: { id: string }) => m.id === m1.id).readAt).not.toBeNull();
    expect(again.find((m: { id: string }) => m.id === m2.id).readAt).toBeNull();
  });

  it("returns an empty conversation with someone you never wrote to", async () => {
    const { ann, cat } = await people();
    expect(await getJson(ctx.app, `/api/conversations/${cat.id}`, ann)).toEqual([]);
  });

  it("shows a participant only their own conversation: outsiders learn nothing of others'", async () => {
    const { ann, ben, cat } = await people();
    await send(ann, ben, "secret between ann and ben");
    // Cat can only ever open Cat↔Ann or Cat↔Ben, which are empty.
    expect(await getJson(ctx.app, `/api/conversations/${ann.id}`, cat)).toEqual([]);
    expect(await getJson(ctx.app, `/api/conversations/${ben.id}`, cat)).toEqual([]);
    // And neither her reads nor her read marks touched theirs.
    const marked = await call(ctx.app, "POST", `/api/conversations/${ann.id}/read`, { token: cat.token });
    expect(marked.json()).toMatchObject({ count: 0 });
    expect((await conversations(ben))[0]?.unreadCount).toBe(1);
  });

  it("answers 404 for an unknown or malformed user, or yourself; 401 anonymous", async () => {
    const { ann, ben } = await people();
    expectError(await call(ctx.app, "GET", `/api/conversations/${unknownId()}`, { token: ann.token }), 404);
    expectError(await call(ctx.app, "GET", `/api/conversations/${ann.id}`, { token: ann.token }), 404);
    for (const bad of MALFORMED_IDS)
      expectError(await call(ctx.app, "GET", `/api/conversations/${bad}`, { token: ann.token }), 404);
    expectError(await call(ctx.app, "GET", `/api/conversations/${ben.id}`), 401);
    for (const id of [unknownId(), ann.id, ...MALFORMED_IDS])
      expectError(await call(ctx.app, "POST", `/api/conversations/${id}/read`, { token: ann.token }), 404);
    expectError(await call(ctx.app, "POST", `/api/conversations/${ben.id}/read`), 401);
  });
});

describe("POST /api/messages/:id/read", () => {
  it("lets the recipient mark one message read, idempotently", async () => {
    const { ann, ben } = await people();
    const m1 = await send(ann, ben, "one");
    const m2 = await send(ann, ben, "two");
    const res = await call(ctx.app, "POST", `/api/messages/${m1.id}/read`, { token: ben.token });
    expect(res.statusCode).toBe(200);
    const readAt = res.json().readAt;
    expect(res.json()).toMatchObject({ id: m1.id, senderId: ann.id, recipientId: ben.id });
    expect(Date.parse(readAt)).not.toBeNaN();
    expect(await readAtOf(m2.id)).toBeNull();
    expect((await conversations(ben))[0]?.unreadCount).toBe(1);
    const again = await call(ctx.app, "POST", `/api/messages/${m1.id}/read`, { token: ben.token });
    expect(again.json().readAt).toBe(readAt);
  });

  it("refuses the sender (403), outsiders as if it did not exist (404), anonymous (401); changes nothing", async () => {
    const { ann, ben, cat } = await people();
    const m = await send(ann, ben, "private");
    const before = await checksum(ctx.sql);
    expectError(await call(ctx.app, "POST", `/api/messages/${m.id}/read`, { token: ann.token }), 403, "FORBIDDEN");
    const outsider = await call(ctx.app, "POST", `/api/messages/${m.id}/read`, { token: cat.token });
    const missing = await call(ctx.app, "POST", `/api/messages/${unknownId()}/read`, { token: cat.token });
    expectError(outsider, 404, "NOT_FOUND");
    expect(outsider.json()).toEqual(missing.json());
    expect(outsider.body).not.toContain("private");
    expectError(await call(ctx.app, "POST", `/api/messages/${m.id}/read`), 401);
    for (const bad of MALFORMED_IDS)
      expectError(await call(ctx.app, "POST", `/api/messages/${bad}/read`, { token: ben.token }), 404);
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it.each(CACHE_MODES)("shows the read receipt to both sides (%s read)", async (mode) => {
    const { ann, ben } = await people();
    const m = await send(ann, ben, "hello");
    if (mode === "warm") {
      await warm(ctx.app, ["/api/conversations", `/api/conversations/${ben.id}`], [ann]);
      await warm(ctx.app, ["/api/conversations"], [ben]);
    }
    await call(ctx.app, "POST", `/api/messages/${m.id}/read`, { token: ben.token });
    expect((await conversations(ben))[0]?.unreadCount).toBe(0);
    expect((await conversations(ann))[0]?.lastMessage).toMatchObject({ id: m.id });
    expect((await conversations(ann))[0]?.lastMessage).not.toMatchObject({ readAt: null });
    const forAnn = await getJson(ctx.app, `/api/conversations/${ben.id}`, ann);
    expect(forAnn[0].readAt).not.toBeNull();
  });
});
