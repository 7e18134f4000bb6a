import type { NotificationsPage } from "@shared/contracts/notifications";
import type { FeedPage, ProjectDetail } from "@shared/contracts/projects";
import type { Profile } from "@shared/contracts/users";
import type { AnyEnvelope } from "@shared/realtime/events";
import { MutationObserver, QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { notificationKeys } from "../features/notifications/notifications.queries";
import { projectKeys } from "../features/projects/projects.queries";
import { profileKeys } from "../features/users/users.queries";
import { patchFromEvent } from "./event-patches";

const P = "11111111-1111-4111-8111-111111111111";
const OWNER = "22222222-2222-4222-8222-222222222222";
const envelope = (type: string, data: unknown, room = "feed") =>
  ({ type, room, seq: 2, data }) as unknown as AnyEnvelope;
const list = { sort: "top" as const, page: 1, pageSize: 10 };

function setup() {
  const qc = new QueryClient();
  const owner = { id: OWNER, name: "Old Name", avatarUrl: null };
  qc.setQueryData(projectKeys.detail(P), {
    id: P,
    title: "Old title",
    score: 1,
    upvotes: 1,
    downvotes: 0,
    myVote: 1,
    owner,
    badges: [],
  } as unknown as ProjectDetail);
  qc.setQueryData(projectKeys.list(list), {
    items: [
      { id: P, title: "Old title", score: 1, upvotes: 1, downvotes: 0, owner, badges: [] },
      { id: "other", title: "Other", score: 5, upvotes: 5, downvotes: 0, owner: { ...owner, id: "x" }, badges: [] },
    ],
    page: 1,
    pageSize: 10,
    total: 2,
  } as unknown as FeedPage);
  return qc;
}

const voteCast = {
  type: "vote:cast",
  room: "feed",
  seq: 2,
  data: { projectId: P, ownerId: "o", score: 3, upvotes: 3, downvotes: 0 },
} as unknown as AnyEnvelope;

describe("patchFromEvent", () => {
  it("writes a vote's counts into the project and every feed page showing it, leaving myVote alone", () => {
    const qc = setup();
    patchFromEvent(qc, voteCast);
    expect(qc.getQueryData<ProjectDetail>(projectKeys.detail(P))).toMatchObject({ score: 3, upvotes: 3, myVote: 1 });
    const page = qc.getQueryData<FeedPage>(projectKeys.list(list))!;
    expect(page.items.map((i) => i.score)).toEqual([3, 5]);
  });

  it("leaves a project alone while this tab's own optimistic vote on it is pending", async () => {
    const qc = setup();
    const pending = new MutationObserver(qc, {
      meta: { holds: projectKeys.detail(P) },
      mutationFn: () => new Promise(() => {}),
    });
    void pending.mutate();
    await Promise.resolve();
    patchFromEvent(qc, voteCast);
    expect(qc.getQueryData<ProjectDetail>(projectKeys.detail(P))).toMatchObject({ score: 1 });
  });

  it("ignores events that carry no displayed value", () => {
    const qc = setup();
    patchFromEvent(qc, { ...voteCast, type: "comment:added" } as unknown as AnyEnvelope);
    expect(qc.getQueryData<ProjectDetail>(projectKeys.detail(P))).toMatchObject({ score: 1 });
  });

  it("shows a new title, a renamed maker and an awarded badge wherever the project or the maker appears", () => {
    const qc = setup();
    qc.setQueryData(profileKeys.detail(OWNER), { id: OWNER, name: "Old Name", avatarUrl: null } as Profile);
    patchFromEvent(qc, envelope("project:updated", { projectId: P, ownerId: OWNER, title: "New title" }));
    patchFromEvent(
      qc,
      envelope("profile:updated", { userId: OWNER, name: "New Name", avatarUrl: "https://x.io/a.png" }),
    );
    const badge = {
      projectId: P,
      ownerId: OWNER,
      kind: "winner",
      projectTitle: "New title",
      createdAt: "2026-12-02T00:00:00.000Z",
    };
    patchFromEvent(qc, envelope("badge:awarded", badge));
    patchFromEvent(qc, envelope("badge:awarded", badge, `project:${P}`)); // the same event in another room
    const detail = qc.getQueryData<ProjectDetail>(projectKeys.detail(P))!;
    expect(detail).toMatchObject({ title: "New title", owner: { name: "New Name", avatarUrl: "https://x.io/a.png" } });
    expect(detail.badges).toEqual([{ kind: "winner", createdAt: badge.createdAt }]);
    const [mine, other] = qc.getQueryData<FeedPage>(projectKeys.list(list))!.items;
    expect(mine).toMatchObject({ title: "New title", owner: { name: "New Name" }, badges: [{ kind: "winner" }] });
    expect(other).toMatchObject({ title: "Other", owner: { name: "Old Name" }, badges: [] });
    expect(qc.getQueryData<Profile>(profileKeys.detail(OWNER))).toMatchObject({ name: "New Name" });
  });

  it("puts a new project at the top of Newest's first page only (its place elsewhere is the server's to say)", () => {
    const qc = setup();
    const newest = { sort: "newest" as const, page: 1, pageSize: 2 };
    const page2 = { ...newest, page: 2 };
    const tagged = { ...newest, tag: "rust" };
    const old = { items: [{ id: "a" }, { id: "b" }], page: 1, pageSize: 2, total: 7 } as unknown as FeedPage;
    for (const f of [newest, page2, tagged]) qc.setQueryData(projectKeys.list(f), old);
    const summary = {
      title: "Fresh",
      description: "New here",
      url: null,
      tags: [],
      owner: { id: OWNER, name: "Maker", avatarUrl: null },
      createdAt: "2026-12-02T00:00:00.000Z",
      updatedAt: "2026-12-02T00:00:00.000Z",
    };
    const created = envelope("project:created", { projectId: "n1", ownerId: OWNER, summary });
    patchFromEvent(qc, created);
    patchFromEvent(qc, created);
    const top = qc.getQueryData<FeedPage>(projectKeys.list(newest))!;
    expect(top.items.map((i) => i.id)).toEqual(["n1", "a"]);
    expect(top.total).toBe(8);
    expect(top.items[0]).toMatchObject({ title: "Fresh", score: 0, commentCount: 0, myVote: 0, badges: [] });
    for (const f of [page2, tagged, list])
      expect(qc.getQueryData<FeedPage>(projectKeys.list(f))!.items[0]!.id).not.toBe("n1");
  });

  it("counts one more unread notification in every view of the recipient's inbox", () => {
    const qc = new QueryClient();
    const bell = notificationKeys.list(OWNER, { page: 1, pageSize: 1, unread: true });
    const inbox = notificationKeys.list(OWNER, { page: 1, pageSize: 20, unread: false });
    const others = notificationKeys.list("someone-else", { page: 1, pageSize: 1, unread: true });
    for (const key of [bell, inbox, others])
      qc.setQueryData(key, { items: [], page: 1, pageSize: 1, total: 3, unreadCount: 3 } as NotificationsPage);
    patchFromEvent(
      qc,
      envelope("notification:created", { notificationId: "x", userId: OWNER, kind: "comment" }, `user:${OWNER}`),
    );
    expect(qc.getQueryData<NotificationsPage>(bell)!.unreadCount).toBe(4);
    expect(qc.getQueryData<NotificationsPage>(inbox)!.unreadCount).toBe(4);
    expect(qc.getQueryData<NotificationsPage>(others)!.unreadCount).toBe(3);
  });

  it("leaves everything as it was when the event carries no snapshot (an older or outside writer)", () => {
    const qc = setup();
    patchFromEvent(qc, envelope("project:updated", { projectId: P, ownerId: OWNER }));
    patchFromEvent(qc, envelope("profile:updated", { userId: OWNER }));
    patchFromEvent(qc, envelope("project:created", { projectId: "n1", ownerId: OWNER }));
    expect(qc.getQueryData<ProjectDetail>(projectKeys.detail(P))).toMatchObject({
      title: "Old title",
      owner: { name: "Old Name" },
    });
  });
});
