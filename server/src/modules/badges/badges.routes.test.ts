import { BADGE_KINDS } from "@shared/contracts/badges";
import { describe, expect, it } from "vitest";
import {
  CACHE_MODES,
  checksum,
  count,
  expectEach,
  expectError,
  expectInvalid,
  MALFORMED_IDS,
  unknownId,
  type Viewer,
  warm,
} from "../../../test/api.js";
import { testApp, testUsers } from "../../../test/fixture.js";
import { call, createProject, type TestUser } from "../../../test/helpers.js";

const ctx = testApp();
const { owner, other, admin } = testUsers(ctx, {
  owner: "Owner",
  other: "Other",
  admin: { name: "Admin", admin: true },
});

const award = (projectId: string, kind: unknown, who: TestUser | null = admin) =>
  call(ctx.app, "POST", `/api/projects/${projectId}/badges`, { token: who?.token, body: { kind } });

describe("POST /api/projects/:id/badges", () => {
  it("awards every kind once (201), and the same kind twice is a 409 that writes nothing", async () => {
    const p = await createProject(ctx.app, owner);
    for (const kind of BADGE_KINDS) {
      const res = await award(p.id, kind);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ projectId: p.id, kind });
      expect(res.json().id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(res.json().createdAt)).not.toBeNaN();
    }
    expect(await count(ctx.sql, "badges", "project_id = $1", [p.id])).toBe(BADGE_KINDS.length);
    const before = await checksum(ctx.sql);
    const again = await award(p.id, "winner");
    expectError(again, 409, "CONFLICT");
    expect(await checksum(ctx.sql)).toEqual(before);
    // The same kind on another project is fine.
    const q = await createProject(ctx.app, owner);
    expect((await award(q.id, "winner")).statusCode).toBe(201);
  });

  it.each([
    ["an unknown kind", { kind: "gold" }],
    ["a kind in the wrong case", { kind: "WINNER" }],
    ["an empty kind", { kind: "" }],
    ["a numeric kind", { kind: 1 }],
    ["no kind", {}],
    ["a null body", null],
    ["an array body", ["winner"]],
  ])("rejects %s with 400 and writes nothing", async (_label, body) => {
    const p = await createProject(ctx.app, owner);
    const before = await checksum(ctx.sql);
    expectInvalid(await call(ctx.app, "POST", `/api/projects/${p.id}/badges`, { token: admin.token, body }));
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it("is admin only (401 anonymous, 403 users including the owner) and 404 for unknown projects; writes nothing", async () => {
    const p = await createProject(ctx.app, owner);
    const before = await checksum(ctx.sql);
    expectError(await award(p.id, "winner", null), 401, "UNAUTHORIZED");
    expectError(await award(p.id, "winner", owner), 403, "FORBIDDEN");
    expectError(await award(p.id, "winner", other), 403, "FORBIDDEN");
    expectError(await award(unknownId(), "winner"), 404, "NOT_FOUND");
    for (const bad of MALFORMED_IDS) expectError(await award(bad, "winner"), 404, "NOT_FOUND");
    expect(await checksum(ctx.sql)).toEqual(before);
  });

  it.each(CACHE_MODES)("shows the badge on the project, feed, profile and leaderboard (%s cache)", async (mode) => {
    const p = await createProject(ctx.app, owner);
    for (const u of [other, admin, owner])
      await call(ctx.app, "POST", `/api/projects/${p.id}/upvote`, { token: u.token });
    const viewers: Viewer[] = [owner, other, admin, null];
    const urls = [`/api/projects/${p.id}`, "/api/projects?sort=newest", `/api/users/${owner.id}`, "/api/leaderboard"];
    if (mode === "warm") await warm(ctx.app, urls, viewers);
    const badgesBefore = await count(ctx.sql, "badges", "project_id IN (SELECT id FROM projects WHERE owner_id = $1)", [
      owner.id,
    ]);
    expect((await award(p.id, "best_design")).statusCode).toBe(201);
    const kinds = (b: { kind: string }[]) => b.map((x) => x.kind);
    await expectEach(ctx.app, `/api/projects/${p.id}`, viewers, (d) =>
      expect(kinds(d.badges)).toEqual(["best_design"]),
    );
    await expectEach(ctx.app, "/api/projects?sort=newest", viewers, (f) =>
      expect(kinds(f.items.find((i: { id: string }) => i.id === p.id).badges)).toEqual(["best_design"]),
    );
    await expectEach(ctx.app, `/api/users/${owner.id}`, viewers, (u) => {
      expect(u.stats.badges).toBe(badgesBefore + 1);
      expect(kinds(u.projects.find((i: { id: string }) => i.id === p.id).badges)).toEqual(["best_design"]);
    });
    await expectEach(ctx.app, "/api/leaderboard", viewers, (b) => {
      expect(b.makers.find((m: { user: { id: string } }) => m.user.id === owner.id)?.badgeCount).toBe(badgesBefore + 1);
      expect(kinds(b.projects.find((e: { project: { id: string } }) => e.project.id === p.id).project.badges)).toEqual([
        "best_design",
      ]);
    });
  });
});
