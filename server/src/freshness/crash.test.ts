/**
 * Guarantee 5 of SPEC.md: an instance killed right after a change committed
 * (before or after its invalidation, before its publish) leaves nothing stale:
 * another instance completes the change from the outbox within a second, with a
 * fresh read and exactly one event for the connected clients. A retry of the
 * same write changes nothing and leaves nothing stale.
 *
 * The dying instance is a real child process (server.ts) with the test-only
 * fault point ZEROSTALE_TEST_FAULT: it SIGKILLs itself there.
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { testApp, testUsers } from "../../test/fixture.js";
import { call, connectSocket, createProject, settle, signup, startInstance, waitFor } from "../../test/helpers.js";

const b = testApp({ listen: true });
const { owner, voter } = testUsers(b, { owner: {}, voter: {} });
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

/** Starts instance A as its own process, on B's database and Redis prefix, dying at `fault`. */
async function startDoomed(fault: string): Promise<{ base: string; died: Promise<number> }> {
  const { child, base, exited } = await startInstance(b, { ZEROSTALE_TEST_FAULT: fault });
  children.push(child);
  return { base, died: exited };
}

/** Sends a write to the doomed instance; it dies before answering. */
async function writeThrough(base: string, method: string, path: string, token: string, body?: unknown) {
  const answered = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  }).then(
    (r) => r.status,
    () => null,
  );
  expect(answered, "the instance died before answering").toBeNull();
}

const outboxRows = async () => (await b.sql.query("SELECT count(*)::int AS n FROM zerostale_outbox")).rows[0].n;

describe("an instance killed in the middle of a change", () => {
  it("right after COMMIT of a vote (a single-statement mutation): B completes it within a second", async () => {
    const { id } = await createProject(b.app, owner);
    expect((await call(b.app, "GET", `/api/projects/${id}`)).json().upvotes).toBe(0); // cached on B
    const s = await connectSocket(b.app);
    try {
      await s.subscribe(`project:${id}`);
      const a = await startDoomed("after-commit:vote:cast");
      await writeThrough(a.base, "POST", `/api/projects/${id}/upvote`, voter.token);
      const diedAt = await a.died;
      // Committed, never invalidated nor published by A: B's relay does both.
      await waitFor(
        async () => (await call(b.app, "GET", `/api/projects/${id}`)).json().upvotes === 1,
        1000,
        "a fresh read on B within a second of A's death",
      );
      const e = await s.next("vote:cast", undefined, Math.max(1, 1000 - (Date.now() - diedAt)));
      expect(e.data).toMatchObject({ projectId: id, upvotes: 1, score: 1 });
      await settle(700);
      expect(s.of("vote:cast", `project:${id}`)).toHaveLength(1);
      expect(await outboxRows()).toBe(0);

      // The retry (through B) changes nothing, emits nothing, and the read stays fresh.
      const retry = await call(b.app, "POST", `/api/projects/${id}/upvote`, { token: voter.token });
      expect(retry.statusCode).toBe(200);
      expect(retry.json()).toMatchObject({ upvotes: 1, myVote: 1 });
      await settle(300);
      expect(s.of("vote:cast", `project:${id}`)).toHaveLength(1);
      expect((await call(b.app, "GET", `/api/projects/${id}`)).json().upvotes).toBe(1);
    } finally {
      s.close();
    }
  });

  it("after the invalidation, before the publish (a transaction): exactly one event, from B", async () => {
    const { id } = await createProject(b.app, owner, { title: "before" });
    expect((await call(b.app, "GET", `/api/projects/${id}`)).json().title).toBe("before");
    const s = await connectSocket(b.app);
    try {
      await s.subscribe(`project:${id}`);
      const a = await startDoomed("after-invalidate:project:updated");
      await writeThrough(a.base, "PATCH", `/api/projects/${id}`, owner.token, { title: "after" });
      const diedAt = await a.died;
      expect((await call(b.app, "GET", `/api/projects/${id}`)).json().title).toBe("after");
      const e = await s.next("project:updated", undefined, Math.max(1, 1000 - (Date.now() - diedAt)));
      expect(e.data).toMatchObject({ projectId: id });
      await settle(700);
      expect(s.of("project:updated", `project:${id}`)).toHaveLength(1);
      expect(await outboxRows()).toBe(0);

      const retry = await call(b.app, "PATCH", `/api/projects/${id}`, { token: owner.token, body: { title: "after" } });
      expect(retry.statusCode).toBe(200);
      expect((await call(b.app, "GET", `/api/projects/${id}`)).json().title).toBe("after");
    } finally {
      s.close();
    }
  });

  it("right after COMMIT of a logout: B revokes the session in its cache and ends its sockets on B", async () => {
    const u = await signup(b.app);
    const s = await connectSocket(b.app, u.token); // its handshake cached the session on B
    try {
      expect((await s.subscribe(`user:${u.id}`)).ok).toBe(true);
      const a = await startDoomed("after-commit:session:ended");
      await writeThrough(a.base, "POST", "/api/auth/logout", u.token);
      const diedAt = await a.died;
      await waitFor(
        async () => (await call(b.app, "GET", "/api/me", { token: u.token })).statusCode === 401,
        1000,
        "the token refused on B within a second of A's death",
      );
      const ended = await s.sessionEnded(Math.max(1, 1000 - (Date.now() - diedAt)));
      expect(ended.reason).toBe("signed out");
      expect((await s.subscribe(`user:${u.id}`)).ok).toBe(false);
      await settle(500);
      expect(s.ended).toHaveLength(1);
      expect(await outboxRows()).toBe(0);
    } finally {
      s.close();
    }
  });

  it("right after COMMIT of a comment: the comment count and the thread are fresh on B, one event", async () => {
    const { id } = await createProject(b.app, owner);
    expect((await call(b.app, "GET", `/api/projects/${id}`)).json().commentCount).toBe(0);
    const s = await connectSocket(b.app);
    try {
      await s.subscribe(`project:${id}`);
      const a = await startDoomed("after-commit:comment:added");
      await writeThrough(a.base, "POST", `/api/projects/${id}/comments`, voter.token, { body: "last words" });
      await a.died;
      await waitFor(
        async () => (await call(b.app, "GET", `/api/projects/${id}`)).json().commentCount === 1,
        1000,
        "a fresh comment count on B",
      );
      await s.next("comment:added", undefined, 1000);
      await settle(700);
      expect(s.of("comment:added", `project:${id}`)).toHaveLength(1);
      expect(await outboxRows()).toBe(0);
    } finally {
      s.close();
    }
  });
});
