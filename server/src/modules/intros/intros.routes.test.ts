import { describe, expect, it } from "vitest";
import {
  CACHE_MODES,
  checksum,
  expectError,
  expectInvalid,
  getJson,
  keysOf,
  MALFORMED_IDS,
  unknownId,
  warm,
} from "../../../test/api.js";
import { testApp } from "../../../test/fixture.js";
import { call, createProject, signup, signupAll, type TestUser } from "../../../test/helpers.js";

const ctx = testApp();

/** Fresh people per test, so "one pending request per pair" starts clean. */
const people = () => signupAll(ctx.app, { ann: "Ann", ben: "Ben", cat: "Cat" });

const ask = (from: TestUser, body: Record<string, unknown>) =>
  call(ctx.app, "POST", "/api/intros", { token: from.token, body });

async function request(from: TestUser, to: TestUser, extra: Record<string, unknown> = {}) {
  const res = await ask(from, { toUserId: to.id, message: "Can we talk?", ...extra });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; status: string };
}

const respond = (who: TestUser | null, id: string, action: "accept" | "decline") =>
  call(ctx.app, "POST", `/api/intros/${id}/${action}`, { token: who?.token });

describe("POST /api/intros", () => {
  it("requests an intro (201), optionally about a project", async () => {
    const { ann, ben } = await people();
    const p = await createProject(ctx.app, ben, { title: "Ben's thing" });
    const res = await ask(ann, { toUserId: ben.id, projectId: p.id, message: "  Loved Ben's thing  " });
    expect(res.statusCode).toBe(201);
    const intro = res.json();
    expect(intro).toMatchObject({
      fromUserId: ann.id,
      toUserId: ben.id,
      fromUser: { id: ann.id, name: "Ann", avatarUrl: null },
      toUser: { id: ben.id, name: "Ben", avatarUrl: null },
      project: { id: p.id, title: "Ben's thing" },
      projectId: p.id,
      message: "Loved Ben's thing",
      status: "pending",
      respondedAt: null,
    });
    for (const secret of ["email", "passwordHash"]) expect(keysOf(intro).has(secret)).toBe(false);
    const row = await ctx.sql.query("SELECT status::text, project_id::text FROM intros WHERE id = $1", [intro.id]);
    expect(row.rows[0]).toEqual({ status: "pending", project_id: p.id });
  });

  it("refuses an intro to yourself (400) and writes nothing", async () => {
    const { ann } = await people();
    const before = await checksum(ctx.sql);
    expectInvalid(await ask(ann, { toUserId: ann.id, message: "me" }), "toUserId");
    expectInvalid(await ask(ann, { toUserId: ann.id.toUpperCase(), message: "me" }), "toUserId");
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it("allows one pending request per pair, in either direction (409)", async () => {
    const { ann, ben, cat } = await people();
    await request(ann, ben);
    const before = await checksum(ctx.sql);
    expectError(await ask(ann, { toUserId: ben.id, message: "again" }), 409, "CONFLICT");
    expectError(await ask(ben, { toUserId: ann.id, message: "the other way" }), 409, "CONFLICT");
    expect(await checksum(ctx.sql)).toEqual(before);
    // Other pairs are independent.
    await request(ann, cat);
    await request(cat, ben);
  });

  it("allows a new request once the previous one was answered", async () => {
    const { ann, ben } = await people();
    const first = await request(ann, ben);
    expect((await respond(ben, first.id, "decline")).statusCode).toBe(200);
    const second = await request(ann, ben);
    expect((await respond(ben, second.id, "accept")).statusCode).toBe(200);
    await request(ben, ann);
  });

  it.each([
    ["no message", { message: undefined }, "message"],
    ["an empty message", { message: "  " }, "message"],
    ["a 1,001-char message", { message: "m".repeat(1001) }, "message"],
    ["a numeric message", { message: 5 }, "message"],
    ["no toUserId", { toUserId: undefined }, "toUserId"],
    ["a malformed toUserId", { toUserId: "ben" }, "toUserId"],
    ["a malformed projectId", { projectId: "p1" }, "projectId"],
  ])("rejects %s with 400 and writes nothing", async (_label, patch, path) => {
    const { ann, ben } = await people();
    const before = await checksum(ctx.sql);
    expectInvalid(await ask(ann, { toUserId: ben.id, message: "hi", ...patch }), path);
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it("answers 404 for an unknown person or project, 401 anonymous; writes nothing", async () => {
    const { ann, ben } = await people();
    const before = await checksum(ctx.sql);
    expectError(await ask(ann, { toUserId: unknownId(), message: "hi" }), 404, "NOT_FOUND");
    expectError(await ask(ann, { toUserId: ben.id, projectId: unknownId(), message: "hi" }), 404, "NOT_FOUND");
    expectError(await call(ctx.app, "POST", "/api/intros", { body: { toUserId: ben.id, message: "hi" } }), 401);
    expect(await checksum(ctx.sql)).toEqual(before);
  });
});

describe("GET /api/intros", () => {
  it("lists received and sent requests, newest first, only the caller's", async () => {
    const { ann, ben, cat } = await people();
    const a2b = await request(ann, ben);
    const c2a = await request(cat, ann);
    const b2c = await request(ben, cat);
    const forAnn = await getJson(ctx.app, "/api/intros", ann);
    expect(Object.keys(forAnn).sort()).toEqual(["received", "sent"]);
    expect(forAnn.received.map((i: { id: string }) => i.id)).toEqual([c2a.id]);
    expect(forAnn.sent.map((i: { id: string }) => i.id)).toEqual([a2b.id]);
    const forBen = await getJson(ctx.app, "/api/intros", ben);
    expect(forBen.received.map((i: { id: string }) => i.id)).toEqual([a2b.id]);
    expect(forBen.sent.map((i: { id: string }) => i.id)).toEqual([b2c.id]);
    const outsider = await signup(ctx.app);
    expect(await getJson(ctx.app, "/api/intros", outsider)).toEqual({ received: [], sent: [] });
  });

  it("requires a signed-in user", async () => {
    expectError(await call(ctx.app, "GET", "/api/intros"), 401, "UNAUTHORIZED");
  });
});

describe("POST /api/intros/:id/accept and /decline", () => {
  it.each(["accept", "decline"] as const)("lets the recipient %s once (then 409)", async (action) => {
    const { ann, ben } = await people();
    const intro = await request(ann, ben);
    const res = await respond(ben, intro.id, action);
    expect(res.statusCode).toBe(200);
    const status = action === "accept" ? "accepted" : "declined";
    expect(res.json()).toMatchObject({ id: intro.id, status });
    expect(Date.parse(res.json().respondedAt)).not.toBeNaN();
    const before = await checksum(ctx.sql);
    expectError(await respond(ben, intro.id, action), 409, "CONFLICT");
    expectError(await respond(ben, intro.id, action === "accept" ? "decline" : "accept"), 409, "CONFLICT");
    expect(await checksum(ctx.sql)).toEqual(before);
    const row = await ctx.sql.query("SELECT status::text FROM intros WHERE id = $1", [intro.id]);
    expect(row.rows[0].status).toBe(status);
  });

  it("refuses the requester (403), outsiders as if it did not exist (404), anonymous (401); changes nothing", async () => {
    const { ann, ben, cat } = await people();
    const intro = await request(ann, ben);
    const before = await checksum(ctx.sql);
    for (const action of ["accept", "decline"] as const) {
      expectError(await respond(ann, intro.id, action), 403, "FORBIDDEN");
      const outsider = await respond(cat, intro.id, action);
      const missing = await respond(cat, unknownId(), action);
      expectError(outsider, 404, "NOT_FOUND");
      expectError(missing, 404, "NOT_FOUND");
      // An outsider cannot tell an existing request from a missing one.
      expect(outsider.json()).toEqual(missing.json());
      expectError(await respond(null, intro.id, action), 401);
      for (const bad of MALFORMED_IDS) expectError(await respond(ben, bad, action), 404);
    }
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it.each(CACHE_MODES)("shows the answer to both sides (%s read)", async (mode) => {
    const { ann, ben } = await people();
    const intro = await request(ann, ben);
    if (mode === "warm") await warm(ctx.app, ["/api/intros"], [ann, ben]);
    await respond(ben, intro.id, "accept");
    expect((await getJson(ctx.app, "/api/intros", ann)).sent[0]).toMatchObject({ id: intro.id, status: "accepted" });
    expect((await getJson(ctx.app, "/api/intros", ben)).received[0]).toMatchObject({
      id: intro.id,
      status: "accepted",
    });
  });

  it.each(CACHE_MODES)("shows a new request to both sides (%s read)", async (mode) => {
    const { ann, ben } = await people();
    if (mode === "warm") await warm(ctx.app, ["/api/intros"], [ann, ben]);
    const intro = await request(ann, ben);
    expect((await getJson(ctx.app, "/api/intros", ann)).sent.map((i: { id: string }) => i.id)).toEqual([intro.id]);
    expect((await getJson(ctx.app, "/api/intros", ben)).received.map((i: { id: string }) => i.id)).toEqual([intro.id]);
  });

  it("shows the current names and project titles in the lists", async () => {
    const { ann, ben } = await people();
    const p = await createProject(ctx.app, ben, { title: "Old title" });
    await request(ann, ben, { projectId: p.id });
    await warm(ctx.app, ["/api/intros"], [ann, ben]);
    await call(ctx.app, "PATCH", "/api/users/me", { token: ann.token, body: { name: "Ann Renamed" } });
    await call(ctx.app, "PATCH", `/api/projects/${p.id}`, { token: ben.token, body: { title: "New title" } });
    const forBen = await getJson(ctx.app, "/api/intros", ben);
    expect(forBen.received[0]).toMatchObject({ fromUser: { name: "Ann Renamed" }, project: { title: "New title" } });
    // A deleted project leaves the intro, without the project.
    await call(ctx.app, "DELETE", `/api/projects/${p.id}`, { token: ben.token });
    expect((await getJson(ctx.app, "/api/intros", ann)).sent[0]).toMatchObject({ project: null, projectId: null });
  });
});
