/**
 * A burst of votes on one project: watchers get a few envelopes they can batch
 * (not one per vote), numbered without gaps, and a refetch after the last one
 * shows counts equal to the vote rows.
 */
import { expect, it } from "vitest";
import { testApp } from "../../test/fixture.js";
import { call, connectSocket, createProject, settle, signup } from "../../test/helpers.js";

const ctx = testApp({ listen: true, config: { coalesceWindowMs: 20 } });

it("100 votes in a burst reach watchers as a handful of envelopes, then the true counts", async () => {
  const owner = await signup(ctx.app);
  const { id } = await createProject(ctx.app, owner);
  const voters = await Promise.all(Array.from({ length: 100 }, () => signup(ctx.app)));
  const s = await connectSocket(ctx.app);
  try {
    const ack = await s.subscribe(`project:${id}`);
    await Promise.all(
      voters.map((v, i) =>
        call(ctx.app, "POST", `/api/projects/${id}/${i % 4 === 0 ? "downvote" : "upvote"}`, { token: v.token }),
      ),
    );
    await settle(200);
    const envelopes = s.received.filter((e) => e.room === `project:${id}`);
    const votes = envelopes.filter((e) => e.type === "vote:cast");
    expect(votes.length).toBeGreaterThan(0);
    expect(votes.length).toBeLessThan(50);
    expect(envelopes.map((e) => e.seq)).toEqual(envelopes.map((_, i) => ack.seq! + 1 + i));
    const rows = (
      await ctx.sql.query(
        `SELECT count(*) FILTER (WHERE value = 1)::int AS up, count(*) FILTER (WHERE value = -1)::int AS down
           FROM votes WHERE project_id = $1`,
        [id],
      )
    ).rows[0];
    expect(rows).toEqual({ up: 75, down: 25 });
    // What a client does after the last envelope: refetch, and see the true counts.
    const detail = (await call(ctx.app, "GET", `/api/projects/${id}`)).json();
    expect(detail).toMatchObject({ upvotes: 75, downvotes: 25, score: 50 });
    const metrics = (await call(ctx.app, "GET", "/metrics")).body;
    expect(Number(/zs_events_coalesced_total\{type="vote:cast"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
  } finally {
    s.close();
  }
});
