import { EVENT_TYPES, type EventData, type EventType, event } from "@shared/realtime/events";
import { R, type ResourceKind } from "@shared/realtime/resources";
import { roomCovers, rooms } from "@shared/realtime/rooms";
import { describe, expect, it } from "vitest";
import { pairId } from "../features/messages/messages.queries";
import { EVERYTHING, queryKeysForEvent, queryKeysForResource, queryKeysForResources } from "./invalidation-map";

const P = "11111111-1111-4111-8111-111111111111";
const O = "22222222-2222-4222-8222-222222222222";
const A = "33333333-3333-4333-8333-333333333333";
const B = "44444444-4444-4444-8444-444444444444";
const ME = "55555555-5555-4555-8555-555555555555";
const C = "66666666-6666-4666-8666-666666666666";

const list = ["projects", "list"];
const detail = (id: string) => ["projects", "detail", id];
const details = ["projects", "detail"];
const leaderboard = ["leaderboard"];
const profile = (id: string) => ["profiles", id];
const me = ["auth", "me"];
const counts = { score: 3, upvotes: 4, downvotes: 1 };
const tags = ["tags"];

/**
 * One row per event type: a typed record, so an event added to the shared
 * catalogue fails to compile here until its expected invalidation is written.
 */
const cases: { [K in EventType]: { data: EventData<K>; keys: unknown[][] } } = {
  "project:created": { data: { projectId: P, ownerId: O }, keys: [list, leaderboard, profile(O), tags] },
  "project:updated": {
    data: { projectId: P, ownerId: O },
    keys: [detail(P), list, leaderboard, profile(O), ["intros"], ["notifications"], tags],
  },
  "project:deleted": {
    data: { projectId: P, ownerId: O },
    keys: [detail(P), list, leaderboard, profile(O), ["profiles"], me, ["intros"], ["notifications"], tags],
  },
  "project:featured": {
    data: { projectId: P, ownerId: O, featured: true },
    keys: [detail(P), list, leaderboard, profile(O)],
  },
  "vote:cast": { data: { projectId: P, ownerId: O, ...counts }, keys: [detail(P), list, leaderboard, profile(O)] },
  "vote:removed": { data: { projectId: P, ownerId: O, ...counts }, keys: [detail(P), list, leaderboard, profile(O)] },
  "leaderboard:updated": { data: {}, keys: [leaderboard] },
  "comment:added": {
    data: { projectId: P, ownerId: O, commentId: C, parentId: null, authorId: A, commentCount: 3 },
    keys: [detail(P), list, leaderboard, profile(O), profile(A)],
  },
  "comment:updated": { data: { projectId: P, commentId: C }, keys: [detail(P)] },
  "comment:deleted": {
    data: { projectId: P, ownerId: O, commentId: C, authorIds: [A, B], commentCount: 2 },
    keys: [detail(P), list, leaderboard, profile(O), profile(A), profile(B), ["notifications"]],
  },
  "comment:voted": { data: { projectId: P, commentId: C, score: 1 }, keys: [detail(P)] },
  "intro:received": {
    data: { introId: C, fromUserId: A, toUserId: B, fromName: "Ann" },
    keys: [
      ["intros", B],
      ["intros", A],
    ],
  },
  "intro:accepted": {
    data: { introId: C, fromUserId: A, toUserId: B, toName: "Bo" },
    keys: [
      ["intros", B],
      ["intros", A],
    ],
  },
  "intro:declined": {
    data: { introId: C, fromUserId: A, toUserId: B, toName: "Bo" },
    keys: [
      ["intros", B],
      ["intros", A],
    ],
  },
  "message:received": {
    data: { messageId: C, senderId: A, recipientId: B, senderName: "Ann" },
    keys: [
      ["conversations", B],
      ["conversations", A],
      ["conversation", pairId(A, B)],
    ],
  },
  "message:read": {
    data: { messageId: C, senderId: A, readerId: B, readAt: "2026-01-01T00:00:00.000Z" },
    keys: [
      ["conversations", A],
      ["conversations", B],
      ["conversation", pairId(A, B)],
    ],
  },
  "messages:read": {
    data: { senderId: A, readerId: B, count: 2, readAt: "2026-01-01T00:00:00.000Z" },
    keys: [
      ["conversations", A],
      ["conversations", B],
      ["conversation", pairId(A, B)],
    ],
  },
  "profile:updated": {
    data: { userId: A },
    keys: [profile(A), list, leaderboard, details, ["intros"], ["conversations"]],
  },
  "badge:awarded": {
    data: { projectId: P, ownerId: O, kind: "winner", projectTitle: "Lockstep" },
    keys: [detail(P), list, leaderboard, profile(O)],
  },
  "follow:created": {
    data: { followerId: ME, followeeId: A, followers: 3 },
    keys: [profile(A), profile(ME), me, list],
  },
  "follow:removed": {
    data: { followerId: B, followeeId: A, followers: 2 },
    // Someone else's following feed is not on my screen.
    keys: [profile(A), profile(B)],
  },
  "notification:created": {
    data: { notificationId: C, userId: ME, kind: "comment" },
    keys: [["notifications", ME]],
  },
  "notifications:read": {
    data: { userId: ME, ids: null, count: 3, readAt: "2026-01-01T00:00:00.000Z" },
    keys: [["notifications", ME]],
  },
  "notification:deleted": {
    data: { notificationId: C, userId: ME },
    keys: [["notifications", ME]],
  },
  "cache:invalidate": {
    data: { resource: "*", action: "resync", id: null, projectId: null },
    keys: [EVERYTHING as unknown[]],
  },
  // Never an envelope here (the server ends the socket's session instead), but what it affects maps too.
  "session:ended": { data: { sessionId: C, reason: "signed out" }, keys: [me] },
};

describe("event → query keys", () => {
  it("covers every event type of the catalogue", () => {
    expect(Object.keys(cases).sort()).toEqual([...EVENT_TYPES].sort());
  });

  for (const type of EVENT_TYPES) {
    it(`${type} invalidates what it affects`, () => {
      const c = cases[type];
      expect(queryKeysForEvent(event(type, c.data), { meId: ME })).toEqual(c.keys);
    });
  }

  it("a change to my own profile also refreshes who I am (the nav shows my name)", () => {
    expect(queryKeysForEvent(event("profile:updated", { userId: ME }), { meId: ME })).toContainEqual(me);
    expect(queryKeysForEvent(event("profile:updated", { userId: A }), { meId: ME })).not.toContainEqual(me);
  });

  it("a resync (cache:invalidate of *) invalidates every query", () => {
    expect(
      queryKeysForEvent(event("cache:invalidate", { resource: "*", action: "resync", id: null }), { meId: null }),
    ).toEqual([[]]);
  });

  it("writes from outside the API map through the same table", () => {
    const ctx = { meId: ME };
    expect(
      queryKeysForEvent(event("cache:invalidate", { resource: "votes", action: "insert", id: C, projectId: P }), ctx),
    ).toEqual([detail(P), list, leaderboard, ["profiles"], me]);
    expect(
      queryKeysForEvent(event("cache:invalidate", { resource: "messages", action: "update", id: C }), ctx),
    ).toEqual([["conversations"], ["conversation"]]);
    expect(queryKeysForEvent(event("cache:invalidate", { resource: "intros", action: "insert", id: C }), ctx)).toEqual([
      ["intros"],
    ]);
    expect(
      queryKeysForEvent(event("cache:invalidate", { resource: "comment_votes", action: "delete", id: C }), ctx),
    ).toEqual([details]);
  });
});

describe("resource kind → query keys", () => {
  const samples: { [K in ResourceKind]: [string, unknown[][]] } = {
    "*": [R.all, [[]]],
    feed: [R.feed, [list]],
    catalog: [R.catalog, []],
    ranking: [R.ranking, []],
    leaderboard: [R.leaderboard, [leaderboard]],
    project: [R.project(P), [detail(P)]],
    profile: [R.profile(A), [profile(A)]],
    intros: [R.intros(A), [["intros", A]]],
    conversations: [R.conversations(A), [["conversations", A]]],
    conversation: [R.conversation(B, A), [["conversation", pairId(A, B)]]],
    session: [R.session(C), [me]],
    tags: [R.tags, [["tags"]]],
    notifications: [R.notifications(A), [["notifications", A]]],
    following: [R.following(A), []],
  };
  for (const [kind, [resource, keys]] of Object.entries(samples)) {
    it(`${kind} (${resource})`, () => {
      expect(queryKeysForResource(resource as never, { meId: null })).toEqual(keys);
    });
  }

  it("families map to the general key of their factory", () => {
    const ctx = { meId: null };
    expect(queryKeysForResource(R.allProjects, ctx)).toEqual([details]);
    expect(queryKeysForResource(R.allProfiles, ctx)).toEqual([["profiles"]]);
    expect(queryKeysForResource(R.allIntros, ctx)).toEqual([["intros"]]);
    expect(queryKeysForResource(R.allConversations, ctx)).toEqual([["conversations"]]);
    expect(queryKeysForResource(R.allConversationThreads, ctx)).toEqual([["conversation"]]);
  });
});

describe("what a room covers (refetched after a gap or reconnect)", () => {
  it("feed", () => {
    expect(queryKeysForResources(roomCovers(rooms.feed), { meId: ME })).toEqual([
      list,
      leaderboard,
      details,
      ["profiles"],
      me,
      tags,
      ["intros"],
      ["conversations"],
    ]);
  });
  it("project", () => {
    expect(queryKeysForResources(roomCovers(rooms.project(P)), { meId: ME })).toEqual([detail(P)]);
  });
  it("my user room", () => {
    expect(queryKeysForResources(roomCovers(rooms.user(ME)), { meId: ME })).toEqual([
      ["intros", ME],
      ["conversations", ME],
      ["conversation"],
      profile(ME),
      me,
      details,
      ["notifications", ME],
      list,
    ]);
  });
});
