import type { FeedPage, ProjectDetail } from "@shared/contracts/projects";
import type { AnyEnvelope } from "@shared/realtime/events";
import { MutationObserver, QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { projectKeys } from "../features/projects/projects.queries";
import { patchFromEvent } from "./event-patches";

const P = "11111111-1111-4111-8111-111111111111";
const list = { sort: "top" as const, page: 1, pageSize: 10 };

function setup() {
  const qc = new QueryClient();
  qc.setQueryData(projectKeys.detail(P), { id: P, score: 1, upvotes: 1, downvotes: 0, myVote: 1 } as ProjectDetail);
  qc.setQueryData(projectKeys.list(list), {
    items: [
      { id: P, score: 1, upvotes: 1, downvotes: 0 },
      { id: "other", score: 5, upvotes: 5, downvotes: 0 },
    ],
    page: 1,
    pageSize: 10,
    total: 2,
  } as FeedPage);
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
});
