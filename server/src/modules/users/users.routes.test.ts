import { describe, expect, it } from "vitest";
import {
  CACHE_MODES,
  checksum,
  expectEach,
  expectError,
  expectInvalid,
  getJson,
  keysOf,
  MALFORMED_IDS,
  unknownId,
  type Viewer,
  warm,
} from "../../../test/api.js";
import { testApp, testUsers } from "../../../test/fixture.js";
import { call, createProject, signup, type TestUser } from "../../../test/helpers.js";

const ctx = testApp();
const { admin } = testUsers(ctx, { admin: { name: "Admin", admin: true } });

const SECRET_KEYS = ["email", "passwordHash", "password_hash", "password", "sessions", "token"];

/** Asserts a public response carries no email, password hash or session of anyone. */
async function expectNoPrivateData(body: unknown, ...users: TestUser[]) {
  const keys = keysOf(body);
  for (const k of SECRET_KEYS) expect(keys.has(k), k).toBe(false);
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/\$argon2/);
  for (const u of users) {
    expect(text).not.toContain(u.email);
    expect(text).not.toContain(u.token);
  }
}

describe("GET /api/users/:id", () => {
  it("returns the public profile with projects and stats, and nothing private", async () => {
    const maker = await signup(ctx.app, { name: "Maker" });
    const fan = await signup(ctx.app, { name: "Fan" });
    const p1 = await createProject(ctx.app, maker, { title: "First" });
    const p2 = await createProject(ctx.app, maker, { title: "Second" });
    await call(ctx.app, "POST", `/api/projects/${p1.id}/upvote`, { token: fan.token });
    await call(ctx.app, "POST", `/api/projects/${p1.id}/upvote`, { token: admin.token });
    await call(ctx.app, "POST", `/api/projects/${p2.id}/downvote`, { token: fan.token });
    await call(ctx.app, "POST", `/api/projects/${p1.id}/comments`, { token: maker.token, body: { body: "mine" } });
    await call(ctx.app, "POST", `/api/projects/${p1.id}/comments`, { token: fan.token, body: { body: "theirs" } });
    await call(ctx.app, "POST", `/api/projects/${p2.id}/badges`, { token: admin.token, body: { kind: "staff_pick" } });

    for (const v of [null, fan, maker]) {
      const profile = await getJson(ctx.app, `/api/users/${maker.id}`, v);
      expect(profile).toMatchObject({ id: maker.id, name: "Maker", bio: "", avatarUrl: null, role: "user" });
      expect(Date.parse(profile.createdAt)).not.toBeNaN();
      expect(profile.projects.map((p: { id: string }) => p.id)).toEqual([p2.id, p1.id]);
      expect(profile.projects[0]).toMatchObject({ title: "Second", score: -1, badges: [{ kind: "staff_pick" }] });
      expect(profile.projects[1]).toMatchObject({ title: "First", score: 2, upvotes: 2, commentCount: 2 });
      expect(profile.stats).toEqual({ projects: 2, totalScore: 1, upvotes: 2, comments: 1, badges: 1 });
      await expectNoPrivateData(profile, maker, fan, admin);
    }
  });

  it("answers 404 for unknown and malformed ids", async () => {
    expectError(await call(ctx.app, "GET", `/api/users/${unknownId()}`), 404, "NOT_FOUND");
    for (const bad of [...MALFORMED_IDS, "me"]) expectError(await call(ctx.app, "GET", `/api/users/${bad}`), 404);
  });

  it("never shows an email or a password hash in any public read", async () => {
    const u = await signup(ctx.app, { name: "Private" });
    const p = await createProject(ctx.app, u);
    await call(ctx.app, "POST", `/api/projects/${p.id}/comments`, { token: u.token, body: { body: "c" } });
    await call(ctx.app, "POST", `/api/projects/${p.id}/upvote`, { token: u.token });
    for (const url of [
      `/api/users/${u.id}`,
      `/api/projects/${p.id}`,
      "/api/projects?sort=newest",
      "/api/projects?sort=top",
      "/api/projects?sort=trending",
      "/api/leaderboard",
    ])
      for (const v of [null, u, admin]) await expectNoPrivateData(await getJson(ctx.app, url, v), u, admin);
  });
});

describe("PATCH /api/users/me", () => {
  it("updates name, bio and avatar url, and returns the caller's own view", async () => {
    const u = await signup(ctx.app, { name: "Before" });
    const res = await call(ctx.app, "PATCH", "/api/users/me", {
      token: u.token,
      body: { name: " After ", bio: "I build things", avatarUrl: "https://example.com/me.png" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: u.id,
      email: u.email,
      name: "After",
      bio: "I build things",
      avatarUrl: "https://example.com/me.png",
      role: "user",
    });
    expect(keysOf(res.json()).has("passwordHash")).toBe(false);
    // One field at a time leaves the others alone; "" and null clear the avatar.
    const bioOnly = await call(ctx.app, "PATCH", "/api/users/me", { token: u.token, body: { bio: "" } });
    expect(bioOnly.json()).toMatchObject({ name: "After", bio: "", avatarUrl: "https://example.com/me.png" });
    const cleared = await call(ctx.app, "PATCH", "/api/users/me", { token: u.token, body: { avatarUrl: "" } });
    expect(cleared.json().avatarUrl).toBeNull();
    await call(ctx.app, "PATCH", "/api/users/me", { token: u.token, body: { avatarUrl: "http://example.com/a.png" } });
    const nulled = await call(ctx.app, "PATCH", "/api/users/me", { token: u.token, body: { avatarUrl: null } });
    expect(nulled.json().avatarUrl).toBeNull();
    expect((await getJson(ctx.app, "/api/me", u)).name).toBe("After");
  });

  it("ignores attempts to change role or email", async () => {
    const u = await signup(ctx.app);
    const res = await call(ctx.app, "PATCH", "/api/users/me", {
      token: u.token,
      body: { name: "Sneaky", role: "admin", email: "boss@example.test" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: "Sneaky", role: "user", email: u.email });
    const row = await ctx.sql.query("SELECT role::text, email FROM users WHERE id = $1", [u.id]);
    expect(row.rows[0]).toEqual({ role: "user", email: u.email });
  });

  it.each([
    ["an empty body", {}, ""],
    ["only unknown fields", { role: "admin" }, ""],
    ["an empty name", { name: "  " }, "name"],
    ["an 81-char name", { name: "n".repeat(81) }, "name"],
    ["a null name", { name: null }, "name"],
    ["a 501-char bio", { bio: "b".repeat(501) }, "bio"],
    ["a numeric bio", { bio: 3 }, "bio"],
    ["a javascript: avatar url", { avatarUrl: "javascript:alert(1)" }, "avatarUrl"],
    ["a data: avatar url", { avatarUrl: "data:image/png;base64,AAAA" }, "avatarUrl"],
    ["a non-url avatar", { avatarUrl: "me.png" }, "avatarUrl"],
  ])("rejects %s with 400 and changes nothing", async (_label, body, path) => {
    const u = await signup(ctx.app);
    const before = await checksum(ctx.sql);
    expectInvalid(await call(ctx.app, "PATCH", "/api/users/me", { token: u.token, body }), path);
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it("requires a signed-in user (401) and changes nothing", async () => {
    const before = await checksum(ctx.sql);
    expectError(await call(ctx.app, "PATCH", "/api/users/me", { body: { name: "Anon" } }), 401, "UNAUTHORIZED");
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it.each(CACHE_MODES)("shows the new name everywhere it appears, to everyone (%s cache)", async (mode) => {
    const u = await signup(ctx.app, { name: `Old ${mode}` });
    const other = await signup(ctx.app, { name: "Other" });
    const p = await createProject(ctx.app, u);
    const theirs = await createProject(ctx.app, other);
    // Enough votes to be on the leaderboard's makers list.
    for (const voter of [other, admin, u])
      await call(ctx.app, "POST", `/api/projects/${p.id}/upvote`, { token: voter.token });
    await call(ctx.app, "POST", `/api/projects/${theirs.id}/comments`, { token: u.token, body: { body: "nice" } });
    await call(ctx.app, "POST", "/api/messages", { token: u.token, body: { toUserId: other.id, body: "hi" } });
    await call(ctx.app, "POST", "/api/intros", { token: u.token, body: { toUserId: other.id, message: "hi" } });
    const viewers: Viewer[] = [u, other, admin, null];
    const urls = [
      `/api/users/${u.id}`,
      `/api/projects/${p.id}`,
      `/api/projects/${theirs.id}`,
      "/api/projects?sort=newest&pageSize=100",
      "/api/leaderboard",
    ];
    if (mode === "warm") {
      await warm(ctx.app, urls, viewers);
      await warm(ctx.app, ["/api/conversations", "/api/intros"], [other]);
    }
    const res = await call(ctx.app, "PATCH", "/api/users/me", {
      token: u.token,
      body: { name: `New ${mode}`, bio: "fresh", avatarUrl: "https://example.com/new.png" },
    });
    expect(res.statusCode).toBe(200);
    const ref = { id: u.id, name: `New ${mode}`, avatarUrl: "https://example.com/new.png" };
    await expectEach(ctx.app, `/api/users/${u.id}`, viewers, (profile) =>
      expect(profile).toMatchObject({ name: `New ${mode}`, bio: "fresh", avatarUrl: ref.avatarUrl }),
    );
    await expectEach(ctx.app, `/api/projects/${p.id}`, viewers, (d) => expect(d.owner).toEqual(ref));
    await expectEach(ctx.app, `/api/projects/${theirs.id}`, viewers, (d) => expect(d.comments[0].author).toEqual(ref));
    await expectEach(ctx.app, "/api/projects?sort=newest&pageSize=100", viewers, (f) =>
      expect(f.items.find((i: { id: string }) => i.id === p.id).owner).toEqual(ref),
    );
    await expectEach(ctx.app, "/api/leaderboard", viewers, (b) => {
      expect(b.makers.find((m: { user: { id: string } }) => m.user.id === u.id)?.user).toEqual(ref);
      expect(b.projects.find((e: { project: { id: string } }) => e.project.id === p.id)?.project.owner).toEqual(ref);
    });
    expect((await getJson(ctx.app, "/api/conversations", other))[0].user).toEqual(ref);
    expect((await getJson(ctx.app, "/api/intros", other)).received[0].fromUser).toEqual(ref);
  });
});
