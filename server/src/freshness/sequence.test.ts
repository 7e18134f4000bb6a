/**
 * Sequence numbers: exactly +1 per envelope within a room, the same numbers on
 * every instance, and `subscribe` with `lastSeq` telling a client whether it
 * missed something.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { testApp, testUsers } from "../../test/fixture.js";
import { call, connectSocket, createProject, settle, signup, waitFor } from "../../test/helpers.js";

// Instance A, and instance B on the same database and Redis prefix.
const a = testApp({ listen: true, config: { coalesceWindowMs: 0 } });
const b = testApp({ listen: true, share: a, config: { coalesceWindowMs: 0 } });
const { user } = testUsers(a, { user: {} });
let projectId: string;
beforeAll(async () => {
  projectId = (await createProject(a.app, user)).id;
});

describe("sequence numbers", () => {
  it("rise by exactly one per envelope in a room, starting after the subscribe ack", async () => {
    const s = await connectSocket(a.app);
    try {
      const ack = await s.subscribe(`project:${projectId}`);
      expect(ack.ok).toBe(true);
      const voters = await Promise.all(Array.from({ length: 10 }, () => signup(a.app)));
      for (const v of voters) await call(a.app, "POST", `/api/projects/${projectId}/upvote`, { token: v.token });
      await waitFor(() => s.of("vote:cast").length === 10);
      const seqs = s.received.filter((e) => e.room === `project:${projectId}`).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => ack.seq! + 1 + i));
    } finally {
      s.close();
    }
  });

  it("are shared by all instances: a client on B gets A's writes with the same numbers as a client on A", async () => {
    const onA = await connectSocket(a.app);
    const onB = await connectSocket(b.app);
    try {
      const [ackA, ackB] = await Promise.all([onA.subscribe("feed"), onB.subscribe("feed")]);
      expect(ackA.seq).toBe(ackB.seq);
      const voters = await Promise.all(Array.from({ length: 6 }, () => signup(a.app)));
      // Writes alternate between the instances, concurrently.
      await Promise.all(
        voters.map((v, i) =>
          call(i % 2 ? b.app : a.app, "POST", `/api/projects/${projectId}/upvote`, { token: v.token }),
        ),
      );
      await waitFor(() => onA.of("vote:cast", "feed").length === 6 && onB.of("vote:cast", "feed").length === 6);
      await settle(100);
      const seen = (s: typeof onA) => s.received.filter((e) => e.room === "feed").map((e) => `${e.seq}:${e.type}`);
      expect(seen(onB)).toEqual(seen(onA));
      const seqs = onA.received.filter((e) => e.room === "feed").map((e) => e.seq);
      // In order, no gaps, no duplicates, across both instances' writes.
      expect(seqs).toEqual(seqs.map((_, i) => ackA.seq! + 1 + i));
    } finally {
      onA.close();
      onB.close();
    }
  });

  it("answer a resubscribe with lastSeq: nothing missed, or missed", async () => {
    const s = await connectSocket(b.app);
    let last = 0;
    try {
      last = (await s.subscribe(`project:${projectId}`)).seq!;
      const same = await s.subscribe(`project:${projectId}`, last);
      expect(same).toMatchObject({ ok: true, seq: last, missed: false });
    } finally {
      s.close();
    }
    // While the client is away, two changes happen.
    const v = await signup(a.app);
    await call(a.app, "POST", `/api/projects/${projectId}/downvote`, { token: v.token });
    await call(a.app, "POST", `/api/projects/${projectId}/comments`, { token: v.token, body: { body: "hi" } });
    const back = await connectSocket(a.app);
    try {
      const ack = await back.subscribe(`project:${projectId}`, last);
      expect(ack).toMatchObject({ ok: true, missed: true });
      expect(ack.seq).toBe(last + 2);
    } finally {
      back.close();
    }
  });

  it("a client detects a gap when it misses an envelope", async () => {
    const s = await connectSocket(a.app);
    const witness = await connectSocket(b.app);
    try {
      const ack = await s.subscribe("feed");
      await witness.subscribe("feed");
      await s.socket.timeout(3000).emitWithAck("unsubscribe", { room: "feed" });
      const missed = await createProject(a.app, user); // happens while unsubscribed
      await witness.next("project:created", (e) => e.data.projectId === missed.id); // delivered, and not to s
      await s.subscribe("feed");
      const next = await createProject(b.app, user);
      const created = await s.next("project:created", (e) => e.data.projectId === next.id);
      expect(s.of("project:created").map((e) => e.data.projectId)).not.toContain(missed.id);
      // The envelope after the one it missed: the client sees the jump and refetches.
      expect(created.seq).toBeGreaterThan(ack.seq! + 1);
    } finally {
      s.close();
      witness.close();
    }
  });
});
