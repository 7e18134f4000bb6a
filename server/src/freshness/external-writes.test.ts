/**
 * Writes from outside the API (psql, scripts) reach clients as
 * `cache:invalidate` and the cache serves the new state; writes through the API
 * are not delivered twice.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { testApp, testUsers } from "../../test/fixture.js";
import { call, connectSocket, createProject, settle, signup, type TestContext, waitFor } from "../../test/helpers.js";

const a = testApp({ listen: true });
const b = testApp({ listen: true, share: a });
const { owner } = testUsers(a, { owner: {} });
let projectId: string;
beforeAll(async () => {
  projectId = (await createProject(a.app, owner, { title: "Original" })).id;
});

const detail = async (ctx: TestContext, token?: string) =>
  (await call(ctx.app, "GET", `/api/projects/${projectId}`, { token })).json();

describe("writes from outside the API", () => {
  it("an UPDATE through psql invalidates the cache and reaches the project room and the feed, once", async () => {
    // Warm both instances' view of the cache.
    expect((await detail(a)).title).toBe("Original");
    expect((await detail(b)).title).toBe("Original");
    const onA = await connectSocket(a.app);
    const onB = await connectSocket(b.app);
    try {
      await onA.subscribe(`project:${projectId}`);
      await onB.subscribe("feed");
      await a.sql.query(`UPDATE projects SET title = 'Changed by psql' WHERE id = $1`, [projectId]);
      const got = await onA.next("cache:invalidate");
      expect(got.data).toEqual({ resource: "projects", action: "update", id: projectId, projectId });
      await onB.next("cache:invalidate");
      // Fresh through both instances as soon as the event arrived.
      expect((await detail(a)).title).toBe("Changed by psql");
      expect((await detail(b)).title).toBe("Changed by psql");
      await settle(200);
      // Both instances hear the NOTIFY; only one delivers it.
      expect(onA.of("cache:invalidate", `project:${projectId}`)).toHaveLength(1);
      expect(onB.of("cache:invalidate", "feed")).toHaveLength(1);
    } finally {
      onA.close();
      onB.close();
    }
  });

  it("an INSERT into votes through psql keeps the counters right and refreshes the feed", async () => {
    const voter = await signup(a.app);
    const feedBefore = (await call(a.app, "GET", "/api/projects?sort=newest")).json();
    const before = feedBefore.items.find((p: { id: string }) => p.id === projectId);
    const s = await connectSocket(b.app);
    try {
      await s.subscribe("feed");
      await a.sql.query(`INSERT INTO votes (project_id, user_id, value) VALUES ($1, $2, 1)`, [projectId, voter.id]);
      const e = await s.next("cache:invalidate", (e) => e.data.resource === "votes");
      // The voter is not named in the public room.
      expect(JSON.stringify(e)).not.toContain(voter.id);
      const after = (await call(b.app, "GET", "/api/projects?sort=newest")).json();
      expect(after.items.find((p: { id: string }) => p.id === projectId).upvotes).toBe(before.upvotes + 1);
      expect((await detail(a, voter.token)).myVote).toBe(1);
    } finally {
      s.close();
    }
  });

  it("a message inserted through psql reaches only the two participants", async () => {
    const x = await signup(a.app);
    const y = await signup(a.app);
    const z = await signup(a.app);
    const sx = await connectSocket(a.app, x.token);
    const sz = await connectSocket(b.app, z.token);
    try {
      await sx.subscribe(`user:${x.id}`);
      await sz.subscribe(`user:${z.id}`);
      await sz.subscribe("feed");
      await a.sql.query(`INSERT INTO messages (sender_id, recipient_id, body) VALUES ($1, $2, 'psst')`, [y.id, x.id]);
      const e = await sx.next("cache:invalidate", (e) => e.data.resource === "messages");
      expect(e.room).toBe(`user:${x.id}`);
      expect(JSON.stringify(e)).not.toContain("psst");
      await settle(200);
      expect(sz.of("cache:invalidate").filter((e) => e.data.resource === "messages")).toHaveLength(0);
      const convo = (await call(a.app, "GET", "/api/conversations", { token: x.token })).json();
      expect(convo[0].lastMessage.body).toBe("psst");
    } finally {
      sx.close();
      sz.close();
    }
  });

  it("a user renamed through psql shows everywhere their name is cached", async () => {
    await call(a.app, "POST", `/api/projects/${projectId}/comments`, { token: owner.token, body: { body: "mine" } });
    expect((await detail(b)).owner.name).not.toBe("Renamed Outside");
    await call(a.app, "GET", `/api/users/${owner.id}`);
    await a.sql.query(`UPDATE users SET name = 'Renamed Outside' WHERE id = $1`, [owner.id]);
    await waitFor(async () => (await detail(b)).owner.name === "Renamed Outside", 3000, "renamed owner");
    const d = await detail(a);
    expect(d.comments.every((c: { author: { name: string } }) => c.author.name === "Renamed Outside")).toBe(true);
    expect((await call(b.app, "GET", `/api/users/${owner.id}`)).json().name).toBe("Renamed Outside");
  });

  it("API writes are not delivered twice (no cache:invalidate for them)", async () => {
    const s = await connectSocket(a.app);
    try {
      await s.subscribe(`project:${projectId}`);
      await s.subscribe("feed");
      const voter = await signup(a.app);
      await call(b.app, "POST", `/api/projects/${projectId}/upvote`, { token: voter.token });
      await call(a.app, "PATCH", `/api/projects/${projectId}`, { token: owner.token, body: { title: "API title" } });
      await call(a.app, "POST", `/api/projects/${projectId}/comments`, { token: voter.token, body: { body: "c" } });
      await settle(300);
      expect(s.of("cache:invalidate")).toHaveLength(0);
      expect(s.of("vote:cast", `project:${projectId}`)).toHaveLength(1);
      expect(s.of("project:updated", `project:${projectId}`)).toHaveLength(1);
      expect(s.of("comment:added", `project:${projectId}`)).toHaveLength(1);
    } finally {
      s.close();
    }
  });

  it("a rolled-back external write notifies nobody", async () => {
    const s = await connectSocket(a.app);
    try {
      await s.subscribe(`project:${projectId}`);
      await a.sql.query("BEGIN");
      await a.sql.query(`UPDATE projects SET title = 'never' WHERE id = $1`, [projectId]);
      await a.sql.query("ROLLBACK");
      await settle(200);
      expect(s.of("cache:invalidate")).toHaveLength(0);
      expect((await detail(a)).title).not.toBe("never");
    } finally {
      s.close();
    }
  });
});
