/**
 * The "every mutation verified" table, checked by machine: the routes are
 * enumerated from the app itself, every route that writes must have a row
 * here, and each row proves that the mutation invalidates what it affects and
 * emits its events, after commit, with the cache already fresh when the event
 * arrives. A new mutating route without a row fails this test.
 */
import { type EventType, isSessionEvent } from "@shared/realtime/events";
import { describe, expect, it } from "vitest";
import { testApp, testUsers } from "../../test/fixture.js";
import { call, connectSocket, createProject, signup, type TestSocket, type TestUser } from "../../test/helpers.js";
import type { Committed } from "./pipeline.js";

const routes = new Set<string>();
const ctx = testApp({
  listen: true,
  onRoute: (r) => {
    for (const m of [r.method].flat()) if (m !== "HEAD" && m !== "OPTIONS") routes.add(`${m} ${r.url}`);
  },
});
const { admin } = testUsers(ctx, { admin: { admin: true } });

interface Row {
  /** What the route must emit (exactly) and invalidate (at least). */
  events: EventType[];
  resources: (f: Fixture) => string[];
  run: (f: Fixture) => Promise<{ statusCode: number }>;
  status: number;
  /** After the event arrived, this read must already show the change. */
  check?: (f: Fixture) => Promise<void>;
}

interface Fixture {
  owner: TestUser;
  other: TestUser;
  projectId: string;
  commentId: string;
  introId: string;
  messageId: string;
  /** The owner's newest notification (of the intro request above). */
  notificationId: string;
}

async function fixture(): Promise<Fixture> {
  const [owner, other] = await Promise.all([signup(ctx.app), signup(ctx.app)]);
  const projectId = (await createProject(ctx.app, owner, { title: "Before" })).id;
  const comment = await call(ctx.app, "POST", `/api/projects/${projectId}/comments`, {
    token: other.token,
    body: { body: "first" },
  });
  const intro = await call(ctx.app, "POST", "/api/intros", {
    token: other.token,
    body: { toUserId: owner.id, message: "hi" },
  });
  const message = await call(ctx.app, "POST", "/api/messages", {
    token: other.token,
    body: { toUserId: owner.id, body: "hello" },
  });
  const inbox = await call(ctx.app, "GET", "/api/notifications", { token: owner.token });
  return {
    owner,
    other,
    projectId,
    commentId: comment.json().id,
    introId: intro.json().id,
    messageId: message.json().id,
    notificationId: inbox.json().items[0].id,
  };
}

const get = async (url: string, token?: string) => (await call(ctx.app, "GET", url, { token })).json();
/** The session a token names (its `sid` claim). */
const sessionOf = (token: string) =>
  JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sid as string;
const P = (f: Fixture) => `/api/projects/${f.projectId}`;

const table: Record<string, Row> = {
  "POST /api/auth/signup": {
    status: 201,
    events: [],
    resources: () => [], // a new account is not shown anywhere yet; its profile tag is touched
    run: () =>
      call(ctx.app, "POST", "/api/auth/signup", {
        body: { email: `new-${Date.now()}@example.test`, password: "long enough", name: "New" },
      }),
  },
  "POST /api/auth/login": {
    status: 200,
    events: [],
    resources: () => [],
    run: async () => {
      await call(ctx.app, "POST", "/api/auth/signup", {
        body: { email: "login-row@example.test", password: "long enough", name: "L" },
      });
      return call(ctx.app, "POST", "/api/auth/login", {
        body: { email: "login-row@example.test", password: "long enough" },
      });
    },
  },
  "POST /api/auth/logout": {
    status: 204,
    // Reaches the session's sockets (the watcher of `other`), which it ends.
    events: ["session:ended"],
    resources: (f) => [`session:${sessionOf(f.other.token)}`],
    run: (f) => call(ctx.app, "POST", "/api/auth/logout", { token: f.other.token }),
    check: async (f) => expect((await call(ctx.app, "GET", "/api/me", { token: f.other.token })).statusCode).toBe(401),
  },
  "POST /api/projects": {
    status: 201,
    events: ["project:created", "leaderboard:updated"],
    resources: (f) => ["feed", "leaderboard", `profile:${f.owner.id}`],
    run: (f) => call(ctx.app, "POST", "/api/projects", { token: f.owner.token, body: { title: "Brand new" } }),
    check: async () =>
      expect((await get("/api/projects?sort=newest")).items.map((p: { title: string }) => p.title)).toContain(
        "Brand new",
      ),
  },
  "PATCH /api/projects/:id": {
    status: 200,
    events: ["project:updated", "leaderboard:updated"],
    resources: (f) => [`project:${f.projectId}`, "feed", "leaderboard", `profile:${f.owner.id}`],
    run: (f) => call(ctx.app, "PATCH", P(f), { token: f.owner.token, body: { title: "After" } }),
    check: async (f) => expect((await get(P(f))).title).toBe("After"),
  },
  "DELETE /api/projects/:id": {
    status: 204,
    events: ["project:deleted", "leaderboard:updated"],
    resources: (f) => [`project:${f.projectId}`, "feed", "leaderboard", `profile:${f.owner.id}`],
    run: (f) => call(ctx.app, "DELETE", P(f), { token: f.owner.token }),
    check: async (f) => expect((await call(ctx.app, "GET", P(f))).statusCode).toBe(404),
  },
  "POST /api/projects/:id/feature": {
    status: 200,
    events: ["project:featured", "leaderboard:updated", "notification:created"],
    resources: (f) => [`project:${f.projectId}`, "feed", "leaderboard", `notifications:${f.owner.id}`],
    run: (f) => call(ctx.app, "POST", `${P(f)}/feature`, { token: admin.token, body: { featured: true } }),
    check: async (f) => expect((await get(P(f))).featured).toBe(true),
  },
  "POST /api/projects/:id/upvote": {
    status: 200,
    events: ["vote:cast", "leaderboard:updated"],
    resources: (f) => [`project:${f.projectId}`, "feed", "leaderboard", `profile:${f.owner.id}`],
    run: (f) => call(ctx.app, "POST", `${P(f)}/upvote`, { token: f.other.token }),
    check: async (f) => expect((await get(P(f))).score).toBe(1),
  },
  "POST /api/projects/:id/downvote": {
    status: 200,
    events: ["vote:cast", "leaderboard:updated"],
    resources: (f) => [`project:${f.projectId}`, "feed", "leaderboard", `profile:${f.owner.id}`],
    run: (f) => call(ctx.app, "POST", `${P(f)}/downvote`, { token: f.other.token }),
    check: async (f) => expect((await get(P(f))).score).toBe(-1),
  },
  "DELETE /api/projects/:id/vote": {
    status: 200,
    events: ["vote:removed", "leaderboard:updated"],
    resources: (f) => [`project:${f.projectId}`, "feed", "leaderboard", `profile:${f.owner.id}`],
    run: async (f) => {
      await call(ctx.app, "POST", `${P(f)}/upvote`, { token: f.other.token });
      return call(ctx.app, "DELETE", `${P(f)}/vote`, { token: f.other.token });
    },
    check: async (f) => expect((await get(P(f), f.other.token)).myVote).toBe(0),
  },
  "POST /api/votes": {
    status: 200,
    events: ["vote:cast", "leaderboard:updated"],
    resources: (f) => [`project:${f.projectId}`, "feed", "leaderboard", `profile:${f.owner.id}`],
    run: (f) =>
      call(ctx.app, "POST", "/api/votes", { token: f.other.token, body: { projectId: f.projectId, value: -1 } }),
    check: async (f) => expect((await get(P(f), f.other.token)).myVote).toBe(-1),
  },
  "POST /api/projects/:id/comments": {
    status: 201,
    events: ["comment:added", "leaderboard:updated"],
    resources: (f) => [`project:${f.projectId}`, "feed", `profile:${f.owner.id}`],
    run: (f) => call(ctx.app, "POST", `${P(f)}/comments`, { token: f.owner.token, body: { body: "second" } }),
    check: async (f) => expect((await get(P(f))).commentCount).toBe(2),
  },
  "PATCH /api/comments/:id": {
    status: 200,
    events: ["comment:updated"],
    resources: (f) => [`project:${f.projectId}`],
    run: (f) =>
      call(ctx.app, "PATCH", `/api/comments/${f.commentId}`, { token: f.other.token, body: { body: "edited" } }),
    check: async (f) => expect((await get(P(f))).comments[0].body).toBe("edited"),
  },
  "DELETE /api/comments/:id": {
    status: 204,
    events: ["comment:deleted", "leaderboard:updated"],
    resources: (f) => [`project:${f.projectId}`, "feed", `profile:${f.other.id}`],
    run: (f) => call(ctx.app, "DELETE", `/api/comments/${f.commentId}`, { token: f.other.token }),
    check: async (f) => expect((await get(P(f))).comments).toHaveLength(0),
  },
  "POST /api/comments/:id/vote": {
    status: 200,
    events: ["comment:voted"],
    resources: (f) => [`project:${f.projectId}`],
    run: (f) =>
      call(ctx.app, "POST", `/api/comments/${f.commentId}/vote`, { token: f.owner.token, body: { value: 1 } }),
    check: async (f) => expect((await get(P(f))).comments[0].score).toBe(1),
  },
  "POST /api/intros": {
    status: 201,
    events: ["intro:received", "notification:created"],
    resources: (f) => [`intros:${f.owner.id}`, `intros:${f.other.id}`, `notifications:${f.owner.id}`],
    run: async (f) => {
      const third = await signup(ctx.app);
      f.other = third;
      return call(ctx.app, "POST", "/api/intros", {
        token: third.token,
        body: { toUserId: f.owner.id, message: "yo" },
      });
    },
    check: async (f) => expect((await get("/api/intros", f.owner.token)).received).toHaveLength(2),
  },
  "POST /api/intros/:id/accept": {
    status: 200,
    events: ["intro:accepted", "notification:created"],
    resources: (f) => [`intros:${f.owner.id}`, `intros:${f.other.id}`, `notifications:${f.other.id}`],
    run: (f) => call(ctx.app, "POST", `/api/intros/${f.introId}/accept`, { token: f.owner.token }),
    check: async (f) => expect((await get("/api/intros", f.other.token)).sent[0].status).toBe("accepted"),
  },
  "POST /api/intros/:id/decline": {
    status: 200,
    events: ["intro:declined", "notification:created"],
    resources: (f) => [`intros:${f.owner.id}`, `intros:${f.other.id}`, `notifications:${f.other.id}`],
    run: (f) => call(ctx.app, "POST", `/api/intros/${f.introId}/decline`, { token: f.owner.token }),
    check: async (f) => expect((await get("/api/intros", f.other.token)).sent[0].status).toBe("declined"),
  },
  "POST /api/messages": {
    status: 201,
    events: ["message:received"],
    resources: (f) => [`conversations:${f.owner.id}`, `conversations:${f.other.id}`],
    run: (f) =>
      call(ctx.app, "POST", "/api/messages", { token: f.owner.token, body: { toUserId: f.other.id, body: "back" } }),
    check: async (f) => expect((await get("/api/conversations", f.other.token))[0].lastMessage.body).toBe("back"),
  },
  "POST /api/messages/:id/read": {
    status: 200,
    events: ["message:read"],
    resources: (f) => [`conversations:${f.owner.id}`, `conversations:${f.other.id}`],
    run: (f) => call(ctx.app, "POST", `/api/messages/${f.messageId}/read`, { token: f.owner.token }),
    check: async (f) => expect((await get("/api/conversations", f.other.token))[0].lastMessage.readAt).not.toBeNull(),
  },
  "POST /api/conversations/:userId/read": {
    status: 200,
    events: ["messages:read"],
    resources: (f) => [`conversations:${f.owner.id}`, `conversations:${f.other.id}`],
    run: (f) => call(ctx.app, "POST", `/api/conversations/${f.other.id}/read`, { token: f.owner.token }),
    check: async (f) => expect((await get("/api/conversations", f.owner.token))[0].unreadCount).toBe(0),
  },
  "PATCH /api/users/me": {
    status: 200,
    events: ["profile:updated", "leaderboard:updated"],
    resources: (f) => [`profile:${f.owner.id}`, "feed", "leaderboard", "project:*"],
    run: (f) => call(ctx.app, "PATCH", "/api/users/me", { token: f.owner.token, body: { name: "Renamed" } }),
    check: async (f) => expect((await get(P(f))).owner.name).toBe("Renamed"),
  },
  "POST /api/projects/:id/badges": {
    status: 201,
    events: ["badge:awarded", "leaderboard:updated", "notification:created"],
    resources: (f) => [
      `project:${f.projectId}`,
      "feed",
      "leaderboard",
      `profile:${f.owner.id}`,
      `notifications:${f.owner.id}`,
    ],
    run: (f) => call(ctx.app, "POST", `${P(f)}/badges`, { token: admin.token, body: { kind: "winner" } }),
    check: async (f) => expect((await get(P(f))).badges.map((b: { kind: string }) => b.kind)).toEqual(["winner"]),
  },
  "POST /api/users/:id/follow": {
    status: 200,
    events: ["follow:created", "notification:created"],
    resources: (f) => [
      `profile:${f.owner.id}`,
      `profile:${f.other.id}`,
      `following:${f.other.id}`,
      `notifications:${f.owner.id}`,
    ],
    run: (f) => call(ctx.app, "POST", `/api/users/${f.owner.id}/follow`, { token: f.other.token }),
    check: async (f) => {
      const profile = await get(`/api/users/${f.owner.id}`, f.other.token);
      expect(profile).toMatchObject({ followers: 1, followedByMe: true });
    },
  },
  "DELETE /api/users/:id/follow": {
    status: 200,
    events: ["follow:removed"],
    resources: (f) => [`profile:${f.owner.id}`, `profile:${f.other.id}`, `following:${f.other.id}`],
    run: async (f) => {
      await call(ctx.app, "POST", `/api/users/${f.owner.id}/follow`, { token: f.other.token });
      return call(ctx.app, "DELETE", `/api/users/${f.owner.id}/follow`, { token: f.other.token });
    },
    check: async (f) => {
      const profile = await get(`/api/users/${f.owner.id}`, f.other.token);
      expect(profile).toMatchObject({ followers: 0, followedByMe: false });
    },
  },
  "POST /api/notifications/read": {
    status: 200,
    events: ["notifications:read"],
    resources: (f) => [`notifications:${f.owner.id}`],
    run: (f) => call(ctx.app, "POST", "/api/notifications/read", { token: f.owner.token, body: {} }),
    check: async (f) => expect((await get("/api/notifications", f.owner.token)).unreadCount).toBe(0),
  },
  "DELETE /api/notifications/:id": {
    status: 204,
    events: ["notification:deleted"],
    resources: (f) => [`notifications:${f.owner.id}`],
    run: (f) => call(ctx.app, "DELETE", `/api/notifications/${f.notificationId}`, { token: f.owner.token }),
    check: async (f) =>
      expect((await get("/api/notifications", f.owner.token)).items.map((n: { id: string }) => n.id)).not.toContain(
        f.notificationId,
      ),
  },
};

const WRITES = new Set(["POST", "PATCH", "PUT", "DELETE"]);

/** The event reached the watcher: as an envelope, or (a session event) as the end of its session. */
const arrival = (w: TestSocket, type: EventType) => (isSessionEvent(type) ? w.sessionEnded() : w.next(type));

describe("every mutating route", () => {
  it("has a row in the table (and every row names a real route)", () => {
    const mutating = [...routes].filter((r) => WRITES.has(r.split(" ")[0]!));
    expect(mutating.length).toBeGreaterThan(20);
    expect(
      mutating.filter((r) => !(r in table)),
      "mutating routes without a row",
    ).toEqual([]);
    expect(
      Object.keys(table).filter((r) => !routes.has(r)),
      "rows without a route",
    ).toEqual([]);
  });

  for (const [route, row] of Object.entries(table)) {
    it(`${route}: commits, invalidates, then emits${row.check ? ", and the event finds the cache fresh" : ""}`, async () => {
      const f = await fixture();
      // Watch every room the change may reach, as the affected users would.
      const watchers = await Promise.all([
        connectSocket(ctx.app, f.owner.token),
        connectSocket(ctx.app, f.other.token),
      ]);
      const [w1, w2] = watchers as [(typeof watchers)[0], (typeof watchers)[0]];
      await Promise.all([
        w1.subscribe("feed"),
        w1.subscribe(`project:${f.projectId}`),
        w1.subscribe(`user:${f.owner.id}`),
        w2.subscribe(`user:${f.other.id}`),
      ]);
      const records: Committed[] = [];
      const onCommit = (c: Committed) => records.push(c);
      ctx.app.freshness.on("committed", onCommit);
      try {
        const res = await row.run(f);
        expect(res.statusCode, `${route} status`).toBe(row.status);
        const last = records.at(-1);
        if (row.events.length) expect(last, `${route} went through the pipeline`).toBeDefined();
        expect((last?.events ?? []).map((e) => e.type).sort()).toEqual([...row.events].sort());
        for (const r of row.resources(f)) expect(last?.resources ?? [], `${route} invalidates ${r}`).toContain(r);
        // As soon as the event reaches a watcher, the read below must already be fresh.
        if (row.events.length) await Promise.race(watchers.map((w) => arrival(w, row.events[0]!)));
        if (row.check) await row.check(f);
      } finally {
        ctx.app.freshness.off("committed", onCommit);
        for (const w of watchers) w.close();
      }
    });
  }
});
