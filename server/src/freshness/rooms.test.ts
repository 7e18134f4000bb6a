/**
 * Each event type reaches exactly the rooms SPEC.md's table names, and no
 * others. The expectations are written out here from the SPEC (not derived from
 * the catalogue), so the catalogue cannot agree with itself by construction.
 */
import type { Envelope } from "@shared/realtime/events";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testApp, testUsers } from "../../test/fixture.js";
import {
  call,
  connectSocket,
  createProject,
  settle,
  signup,
  TEST_JWT_SECRET,
  type TestSocket,
} from "../../test/helpers.js";

const ctx = testApp({ listen: true, config: { coalesceWindowMs: 0 } });
// The owner owns the project, the voter acts, the third must not see anything private of the other two.
const { owner, voter, third, admin } = testUsers(ctx, { owner: {}, voter: {}, third: {}, admin: { admin: true } });
let projectId: string;
const observers: TestSocket[] = [];

beforeAll(async () => {
  projectId = (await createProject(ctx.app, owner)).id;
  // One socket per room, so an envelope's room is also checked against who got it.
  const rooms: [string, string | undefined][] = [
    ["feed", undefined],
    [`project:${projectId}`, undefined],
    [`user:${owner.id}`, owner.token],
    [`user:${voter.id}`, voter.token],
    [`user:${third.id}`, third.token],
    [`user:${admin.id}`, admin.token],
  ];
  for (const [room, token] of rooms) {
    const s = await connectSocket(ctx.app, token);
    const ack = await s.subscribe(room);
    expect(ack.ok, room).toBe(true);
    (s as TestSocket & { room: string }).room = room;
    observers.push(s);
  }
});
afterAll(() => {
  for (const s of observers) s.close();
});

/** Runs `act` and returns every `type@room` delivered to the observers meanwhile. */
async function deliveries(act: () => Promise<unknown>): Promise<string[]> {
  await settle(100); // let stragglers of the previous step land before counting
  const before = observers.map((s) => s.received.length);
  await act();
  await settle(250);
  const got: string[] = [];
  observers.forEach((s, i) => {
    for (const e of s.received.slice(before[i])) {
      expect(e.room, "an envelope reached a socket not subscribed to its room").toBe(
        (s as TestSocket & { room: string }).room,
      );
      got.push(`${e.type}@${label(e)}`);
    }
  });
  return got.sort();
}

const label = (e: Envelope) =>
  e.room === "feed"
    ? "feed"
    : e.room === `project:${projectId}`
      ? "project"
      : e.room === `user:${owner.id}`
        ? "owner"
        : e.room === `user:${voter.id}`
          ? "voter"
          : e.room === `user:${third.id}`
            ? "third"
            : e.room === `user:${admin.id}`
              ? "admin"
              : e.room;

/** The session a token names (its `sid` claim). */
const sessionOf = (token: string) =>
  JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sid as string;

const expectRooms = (got: string[], expected: string[]) => expect(got).toEqual([...expected].sort());

describe("events reach the rooms of SPEC.md and no others", () => {
  it("project:updated, project:featured", async () => {
    expectRooms(
      await deliveries(() =>
        call(ctx.app, "PATCH", `/api/projects/${projectId}`, { token: owner.token, body: { title: "Renamed" } }),
      ),
      ["project:updated@project", "project:updated@feed", "leaderboard:updated@feed"],
    );
    expectRooms(
      await deliveries(() =>
        call(ctx.app, "POST", `/api/projects/${projectId}/feature`, { token: admin.token, body: { featured: true } }),
      ),
      ["project:featured@project", "project:featured@feed", "leaderboard:updated@feed", "notification:created@owner"],
    );
  });

  it("vote:cast and vote:removed (the voter's other tabs through their user room)", async () => {
    const expected = (t: string) => [`${t}@project`, `${t}@feed`, `${t}@voter`, "leaderboard:updated@feed"];
    expectRooms(
      await deliveries(() => call(ctx.app, "POST", `/api/projects/${projectId}/upvote`, { token: voter.token })),
      expected("vote:cast"),
    );
    expectRooms(
      await deliveries(() => call(ctx.app, "POST", `/api/projects/${projectId}/downvote`, { token: voter.token })),
      expected("vote:cast"),
    );
    expectRooms(
      await deliveries(() => call(ctx.app, "DELETE", `/api/projects/${projectId}/vote`, { token: voter.token })),
      expected("vote:removed"),
    );
    // Nothing changes, nothing is emitted.
    expectRooms(
      await deliveries(() => call(ctx.app, "DELETE", `/api/projects/${projectId}/vote`, { token: voter.token })),
      [],
    );
  });

  it("vote events do not name the voter in public rooms", async () => {
    const before = observers[0]!.received.length;
    await call(ctx.app, "POST", "/api/votes", { token: voter.token, body: { projectId, value: 1 } });
    await observers[0]!.next("vote:cast", (e) => observers[0]!.received.indexOf(e) >= before);
    expect(JSON.stringify(observers[0]!.received.slice(before))).not.toContain(voter.id);
  });

  it("comment:added, comment:updated, comment:voted, comment:deleted", async () => {
    let commentId = "";
    expectRooms(
      await deliveries(async () => {
        const res = await call(ctx.app, "POST", `/api/projects/${projectId}/comments`, {
          token: voter.token,
          body: { body: "Nice" },
        });
        commentId = res.json().id;
      }),
      // The leaderboard shows comment counts too; the owner is notified.
      ["comment:added@project", "comment:added@feed", "leaderboard:updated@feed", "notification:created@owner"],
    );
    expectRooms(
      await deliveries(() =>
        call(ctx.app, "PATCH", `/api/comments/${commentId}`, { token: voter.token, body: { body: "Nicer" } }),
      ),
      ["comment:updated@project"],
    );
    expectRooms(
      await deliveries(() =>
        call(ctx.app, "POST", `/api/comments/${commentId}/vote`, { token: third.token, body: { value: 1 } }),
      ),
      ["comment:voted@project", "comment:voted@third"],
    );
    expectRooms(await deliveries(() => call(ctx.app, "DELETE", `/api/comments/${commentId}`, { token: voter.token })), [
      "comment:deleted@project",
      "comment:deleted@feed",
      "leaderboard:updated@feed",
    ]);
  });

  it("intro events reach only the two people involved", async () => {
    let introId = "";
    expectRooms(
      await deliveries(async () => {
        const res = await call(ctx.app, "POST", "/api/intros", {
          token: voter.token,
          body: { toUserId: owner.id, projectId, message: "Secret pitch" },
        });
        introId = res.json().id;
      }),
      ["intro:received@owner", "intro:received@voter", "notification:created@owner"],
    );
    expectRooms(
      await deliveries(() => call(ctx.app, "POST", `/api/intros/${introId}/accept`, { token: owner.token })),
      ["intro:accepted@owner", "intro:accepted@voter", "notification:created@voter"],
    );
    let secondId = "";
    expectRooms(
      await deliveries(async () => {
        const res = await call(ctx.app, "POST", "/api/intros", {
          token: owner.token,
          body: { toUserId: voter.id, message: "Another" },
        });
        secondId = res.json().id;
      }),
      ["intro:received@voter", "intro:received@owner", "notification:created@voter"],
    );
    expectRooms(
      await deliveries(() => call(ctx.app, "POST", `/api/intros/${secondId}/decline`, { token: voter.token })),
      ["intro:declined@owner", "intro:declined@voter", "notification:created@owner"],
    );
  });

  it("message:received, message:read and messages:read reach only the two participants", async () => {
    let messageId = "";
    expectRooms(
      await deliveries(async () => {
        const res = await call(ctx.app, "POST", "/api/messages", {
          token: voter.token,
          body: { toUserId: owner.id, body: "Private words" },
        });
        messageId = res.json().id;
      }),
      ["message:received@owner", "message:received@voter"],
    );
    expectRooms(
      await deliveries(() => call(ctx.app, "POST", `/api/messages/${messageId}/read`, { token: owner.token })),
      ["message:read@owner", "message:read@voter"],
    );
    await call(ctx.app, "POST", "/api/messages", { token: voter.token, body: { toUserId: owner.id, body: "More" } });
    await settle(100);
    expectRooms(
      await deliveries(() => call(ctx.app, "POST", `/api/conversations/${voter.id}/read`, { token: owner.token })),
      ["messages:read@owner", "messages:read@voter"],
    );
  });

  it("private payloads never carry message bodies or intro messages", () => {
    const all = JSON.stringify(observers.flatMap((s) => s.received));
    expect(all).not.toContain("Private words");
    expect(all).not.toContain("Secret pitch");
  });

  it("profile:updated reaches the feed (and the user's own tabs)", async () => {
    expectRooms(
      await deliveries(() =>
        call(ctx.app, "PATCH", "/api/users/me", { token: third.token, body: { name: "Trinity" } }),
      ),
      ["profile:updated@feed", "profile:updated@third", "leaderboard:updated@feed"],
    );
  });

  it("badge:awarded reaches the project, the feed and the owner", async () => {
    expectRooms(
      await deliveries(() =>
        call(ctx.app, "POST", `/api/projects/${projectId}/badges`, {
          token: admin.token,
          body: { kind: "staff_pick" },
        }),
      ),
      [
        "badge:awarded@project",
        "badge:awarded@feed",
        "badge:awarded@owner",
        "leaderboard:updated@feed",
        "notification:created@owner",
      ],
    );
  });

  it("project:created reaches the feed; project:deleted the project and the feed", async () => {
    let id = "";
    expectRooms(
      await deliveries(async () => {
        id = (await createProject(ctx.app, third)).id;
      }),
      ["project:created@feed", "leaderboard:updated@feed"],
    );
    expect(id).toBeTruthy();
    expectRooms(await deliveries(() => call(ctx.app, "DELETE", `/api/projects/${projectId}`, { token: owner.token })), [
      "project:deleted@project",
      "project:deleted@feed",
      "leaderboard:updated@feed",
    ]);
  });

  it("a rejected write emits nothing", async () => {
    expectRooms(
      await deliveries(() =>
        call(ctx.app, "PATCH", `/api/projects/${projectId}`, { token: third.token, body: { title: "x" } }),
      ),
      [],
    );
    expectRooms(
      await deliveries(() =>
        call(ctx.app, "POST", "/api/messages", { token: third.token, body: { toUserId: third.id, body: "me" } }),
      ),
      [],
    );
  });
});

describe("follows and notifications reach the rooms of SPEC.md and no others", () => {
  it("follow:created and follow:removed reach both users and the feed; following twice emits nothing", async () => {
    const follow = () => call(ctx.app, "POST", `/api/users/${third.id}/follow`, { token: voter.token });
    expectRooms(await deliveries(follow), [
      "follow:created@voter",
      "follow:created@third",
      "follow:created@feed",
      "notification:created@third",
    ]);
    expectRooms(await deliveries(follow), []);
    expectRooms(
      await deliveries(() => call(ctx.app, "POST", `/api/users/${voter.id}/follow`, { token: voter.token })),
      [],
    );
  });

  it("a followed maker's new project notifies each follower in their own room", async () => {
    expectRooms(await deliveries(() => createProject(ctx.app, third)), [
      "project:created@feed",
      "leaderboard:updated@feed",
      "notification:created@voter",
    ]);
  });

  it("a reply notifies the parent's author; one row per recipient, never the actor", async () => {
    const [p] = (await call(ctx.app, "GET", "/api/projects?sort=newest&pageSize=1")).json().items;
    let parent = "";
    expectRooms(
      await deliveries(async () => {
        parent = (
          await call(ctx.app, "POST", `/api/projects/${p.id}/comments`, { token: owner.token, body: { body: "Q" } })
        ).json().id;
      }),
      ["comment:added@feed", "leaderboard:updated@feed", "notification:created@third"],
    );
    expectRooms(
      await deliveries(() =>
        call(ctx.app, "POST", `/api/projects/${p.id}/comments`, {
          token: voter.token,
          body: { body: "A", parentId: parent },
        }),
      ),
      ["comment:added@feed", "leaderboard:updated@feed", "notification:created@owner", "notification:created@third"],
    );
  });

  it("notifications:read and notification:deleted reach only the recipient", async () => {
    const list = (await call(ctx.app, "GET", "/api/notifications", { token: owner.token })).json();
    expect(list.unreadCount).toBeGreaterThan(0);
    expectRooms(
      await deliveries(() => call(ctx.app, "POST", "/api/notifications/read", { token: owner.token, body: {} })),
      ["notifications:read@owner"],
    );
    // Nothing left unread: nothing changes, nothing is emitted.
    expectRooms(
      await deliveries(() => call(ctx.app, "POST", "/api/notifications/read", { token: owner.token, body: {} })),
      [],
    );
    expectRooms(
      await deliveries(() => call(ctx.app, "DELETE", `/api/notifications/${list.items[0].id}`, { token: owner.token })),
      ["notification:deleted@owner"],
    );
    expectRooms(
      await deliveries(() => call(ctx.app, "DELETE", `/api/notifications/${list.items[1].id}`, { token: third.token })),
      [],
    );
  });

  it("unfollowing reaches both users and the feed, once", async () => {
    const unfollow = () => call(ctx.app, "DELETE", `/api/users/${third.id}/follow`, { token: voter.token });
    expectRooms(await deliveries(unfollow), ["follow:removed@voter", "follow:removed@third", "follow:removed@feed"]);
    expectRooms(await deliveries(unfollow), []);
  });
});

describe("room authorization", () => {
  it("refuses another user's room and unknown rooms; anonymous sockets get public rooms only", async () => {
    const anon = await connectSocket(ctx.app);
    try {
      expect((await anon.subscribe("feed")).ok).toBe(true);
      const mine = await anon.subscribe(`user:${owner.id}`);
      expect(mine.ok).toBe(false);
      expect(mine.error).toMatchObject({ code: "FORBIDDEN" });
      expect((await anon.subscribe("admin")).ok).toBe(false);
      expect((await anon.subscribe("user:not-a-uuid")).ok).toBe(false);
      expect((await anon.subscribe(`session:${owner.id}`)).ok).toBe(false);
      expect((await anon.subscribe(`project:00000000-0000-4000-8000-000000000000`)).ok).toBe(false);
    } finally {
      anon.close();
    }
    const other = await connectSocket(ctx.app, third.token);
    try {
      expect((await other.subscribe(`user:${owner.id}`)).ok).toBe(false);
      expect((await other.subscribe(`user:${third.id}`)).ok).toBe(true);
    } finally {
      other.close();
    }
  });

  it("rejects a socket whose explicit token is invalid", async () => {
    await expect(connectSocket(ctx.app, "not-a-token")).rejects.toThrow(/unauthorized/);
  });

  it("authenticates the socket with the session cookie too", async () => {
    const { io } = await import("socket.io-client");
    const { baseUrl } = await import("../../test/helpers.js");
    const s = io(baseUrl(ctx.app), {
      transports: ["websocket"],
      extraHeaders: { cookie: `zs_session=${third.token}` },
      forceNew: true,
      reconnection: false,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        s.once("connect", resolve);
        s.once("connect_error", reject);
      });
      const ack = await s.timeout(3000).emitWithAck("subscribe", { room: `user:${third.id}` });
      expect(ack.ok).toBe(true);
    } finally {
      s.disconnect();
    }
  });

  it("logout ends the socket's private subscriptions", async () => {
    const u = await signup(ctx.app);
    const s = await connectSocket(ctx.app, u.token);
    try {
      expect((await s.subscribe(`user:${u.id}`)).ok).toBe(true);
      expect((await call(ctx.app, "POST", "/api/auth/logout", { token: u.token })).statusCode).toBe(204);
      expect(await s.sessionEnded()).toEqual({ sessionId: sessionOf(u.token), reason: "signed out" });
      // A DM to the signed-out user no longer reaches the socket…
      await call(ctx.app, "POST", "/api/messages", { token: voter.token, body: { toUserId: u.id, body: "hello?" } });
      await settle(200);
      expect(s.of("message:received")).toHaveLength(0);
      // …and it cannot subscribe again.
      expect((await s.subscribe(`user:${u.id}`)).ok).toBe(false);
      // Public rooms keep working.
      expect((await s.subscribe("feed")).ok).toBe(true);
    } finally {
      s.close();
    }
  });

  it("a logout's session:ended reaches every socket of that session and no other", async () => {
    const u = await signup(ctx.app, { password: "correct horse battery" });
    const login = await call(ctx.app, "POST", "/api/auth/login", {
      body: { email: u.email, password: "correct horse battery" },
    });
    const otherSession = login.json().token as string;
    const [a1, a2, b] = await Promise.all([
      connectSocket(ctx.app, u.token),
      connectSocket(ctx.app, u.token),
      connectSocket(ctx.app, otherSession),
    ]);
    try {
      for (const s of [a1, a2, b]) expect((await s.subscribe(`user:${u.id}`)).ok).toBe(true);
      expect((await call(ctx.app, "POST", "/api/auth/logout", { token: u.token })).statusCode).toBe(204);
      const ended = { sessionId: sessionOf(u.token), reason: "signed out" };
      expect(await a1.sessionEnded()).toEqual(ended);
      expect(await a2.sessionEnded()).toEqual(ended);
      await settle(200);
      expect(a1.ended).toHaveLength(1);
      // The same user's other session, and every other socket, hear nothing of it…
      expect(b.ended).toEqual([]);
      for (const o of observers) expect(o.ended).toEqual([]);
      // …and it never travels as an envelope.
      for (const s of [a1, a2, b, ...observers]) expect(s.of("session:ended")).toEqual([]);
      // The other session keeps its user room; the ended one does not.
      await call(ctx.app, "POST", "/api/messages", {
        token: voter.token,
        body: { toUserId: u.id, body: "still there?" },
      });
      await b.next("message:received");
      await settle(100);
      expect([...a1.of("message:received"), ...a2.of("message:received")]).toHaveLength(0);
    } finally {
      for (const s of [a1, a2, b]) s.close();
    }
  });

  it("token expiry ends private subscriptions", async () => {
    const u = await signup(ctx.app);
    const claims = JSON.parse(Buffer.from(u.token.split(".")[1]!, "base64url").toString());
    // The same session, in a token that expires in two seconds.
    const expiring = await new SignJWT({ sid: claims.sid })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(u.id)
      .setExpirationTime(Math.floor(Date.now() / 1000) + 2)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const s = await connectSocket(ctx.app, expiring);
    try {
      expect((await s.subscribe(`user:${u.id}`)).ok).toBe(true);
      expect(await s.sessionEnded(4000)).toEqual({ sessionId: claims.sid, reason: "expired" });
      await call(ctx.app, "POST", "/api/messages", { token: voter.token, body: { toUserId: u.id, body: "late" } });
      await settle(200);
      expect(s.of("message:received")).toHaveLength(0);
      expect((await s.subscribe(`user:${u.id}`)).ok).toBe(false);
    } finally {
      s.close();
    }
  });
});

describe("payloads carry public snapshots of what viewers show (patched in as the event lands)", () => {
  const onFeed = (type: string) => observers[0]!.received.filter((e) => e.type === type).at(-1)?.data;

  it("a new project's card, a new title, a new name, an awarded badge", async () => {
    const p = await createProject(ctx.app, voter, { title: "Snapshot", description: `${"é".repeat(279)}😀 and more` });
    await settle(250);
    const created = onFeed("project:created") as { projectId: string; summary: Record<string, unknown> };
    expect(created).toMatchObject({ projectId: p.id, summary: { title: "Snapshot", owner: { id: voter.id } } });
    // Cut to a card's worth, never inside a character.
    expect(created.summary.description).toBe("é".repeat(279));

    await call(ctx.app, "PATCH", `/api/projects/${p.id}`, { token: voter.token, body: { title: "Snapshot 2" } });
    await call(ctx.app, "PATCH", "/api/users/me", { token: voter.token, body: { name: "Vera Snapshot" } });
    await call(ctx.app, "POST", `/api/projects/${p.id}/badges`, { token: admin.token, body: { kind: "winner" } });
    await settle(250);
    expect(onFeed("project:updated")).toMatchObject({ projectId: p.id, title: "Snapshot 2" });
    expect(onFeed("profile:updated")).toMatchObject({ userId: voter.id, name: "Vera Snapshot", avatarUrl: null });
    const badge = onFeed("badge:awarded") as { createdAt: string };
    expect(badge).toMatchObject({ projectId: p.id, kind: "winner" });
    const shown = (await call(ctx.app, "GET", `/api/projects/${p.id}`)).json().badges;
    expect(shown).toEqual([{ kind: "winner", createdAt: badge.createdAt }]);
  });
});
