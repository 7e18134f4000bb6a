/**
 * Abuse limits (SPEC "Security contract"), in server mode on two instances
 * sharing PostgreSQL and Redis: every limit holds across both.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { describe, expect, it } from "vitest";
import { testApp } from "../../test/fixture.js";
import { createProject, type TestUser } from "../../test/helpers.js";
import { addressKey, LIMITS, LOGIN_LIMITS } from "./limits.js";

const a = testApp({ config: { rateLimits: true } });
const b = testApp({ share: a, config: { rateLimits: true } });
const off = testApp({ config: { rateLimits: false } });

let n = 0;
/** A fresh address per caller unless given: the limits count per address too. */
const address = () => `10.${(++n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

async function send(
  app: FastifyInstance,
  method: "GET" | "POST" | "PATCH" | "DELETE",
  url: string,
  opts: { token?: string; body?: unknown; from?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  return app.inject({
    method,
    url,
    headers,
    remoteAddress: opts.from ?? "10.255.255.1",
    ...(opts.body !== undefined && { payload: JSON.stringify(opts.body) }),
  });
}

async function newUser(app: FastifyInstance, password = "correct horse battery"): Promise<TestUser> {
  const email = `u-${randomUUID().slice(0, 8)}@example.test`;
  const res = await send(app, "POST", "/api/auth/signup", {
    body: { email, password, name: "Limited" },
    from: address(),
  });
  if (res.statusCode !== 201) throw new Error(`signup: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return { id: body.user.id, email, name: "Limited", token: body.token, role: body.user.role };
}

const count = async (table: string) => Number((await a.sql.query(`SELECT count(*) FROM ${table}`)).rows[0].count);

const expectLimited = (res: {
  statusCode: number;
  headers: Record<string, unknown>;
  json: () => { error: { code: string } };
}) => {
  expect(res.statusCode).toBe(429);
  expect(res.json().error.code).toBe("RATE_LIMITED");
  expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
};

/** `limit` calls alternating between the instances pass, the next one on either is a 429 and changes nothing. */
async function holdsAcrossInstances(
  limit: number,
  run: (app: FastifyInstance, i: number) => Promise<{ statusCode: number }>,
  ok: number[],
  table: string,
) {
  for (let i = 0; i < limit; i++) {
    const res = await run(i % 2 ? b.app : a.app, i);
    expect(ok, `call ${i + 1}: ${res.statusCode}`).toContain(res.statusCode);
  }
  const before = await count(table);
  expectLimited((await run(b.app, limit)) as never);
  expectLimited((await run(a.app, limit + 1)) as never);
  expect(await count(table)).toBe(before);
}

describe("write limits per user, across instances", () => {
  it(`comments: ${LIMITS.comment.perUser} per minute`, async () => {
    const u = await newUser(a.app);
    const p = await createProject(a.app, u);
    await holdsAcrossInstances(
      LIMITS.comment.perUser,
      (app, i) => send(app, "POST", `/api/projects/${p.id}/comments`, { token: u.token, body: { body: `c${i}` } }),
      [201],
      "comments",
    );
    // Another user is not affected.
    const other = await newUser(a.app);
    const res = await send(b.app, "POST", `/api/projects/${p.id}/comments`, {
      token: other.token,
      body: { body: "hi" },
    });
    expect(res.statusCode).toBe(201);
  });

  it(`messages: ${LIMITS.message.perUser} per minute`, async () => {
    const [u, to] = [await newUser(a.app), await newUser(a.app)];
    await holdsAcrossInstances(
      LIMITS.message.perUser,
      (app, i) => send(app, "POST", "/api/messages", { token: u.token, body: { toUserId: to.id, body: `m${i}` } }),
      [201],
      "messages",
    );
  });

  it(`projects: ${LIMITS.project.perUser} per hour`, async () => {
    const u = await newUser(a.app);
    await holdsAcrossInstances(
      LIMITS.project.perUser,
      (app, i) => send(app, "POST", "/api/projects", { token: u.token, body: { title: `P${i}`, description: "x" } }),
      [201],
      "projects",
    );
  });

  it(`votes: ${LIMITS.vote.perUser} per minute over every vote route, comment votes included`, async () => {
    const owner = await newUser(a.app);
    const p = await createProject(a.app, owner);
    const c = await send(a.app, "POST", `/api/projects/${p.id}/comments`, { token: owner.token, body: { body: "c" } });
    const commentId = c.json().id;
    const u = await newUser(a.app);
    const routes: [string, string, unknown][] = [
      ["POST", `/api/projects/${p.id}/upvote`, undefined],
      ["POST", `/api/projects/${p.id}/downvote`, undefined],
      ["DELETE", `/api/projects/${p.id}/vote`, undefined],
      ["POST", "/api/votes", { projectId: p.id, value: 1 }],
      ["POST", `/api/comments/${commentId}/vote`, { value: 1 }],
    ];
    await holdsAcrossInstances(
      LIMITS.vote.perUser,
      (app, i) => {
        const [method, url, body] = routes[i % routes.length]!;
        return send(app, method as "POST", url, { token: u.token, ...(body !== undefined && { body }) });
      },
      [200],
      "votes",
    );
    const res = await send(a.app, "POST", `/api/comments/${commentId}/vote`, { token: u.token, body: { value: -1 } });
    expectLimited(res as never);
  });

  it(`intros: ${LIMITS.intro.perUser} per day`, async () => {
    const u = await newUser(a.app);
    const recipients = await Promise.all(Array.from({ length: LIMITS.intro.perUser + 2 }, () => newUser(a.app)));
    await holdsAcrossInstances(
      LIMITS.intro.perUser,
      (app, i) =>
        send(app, "POST", "/api/intros", { token: u.token, body: { toUserId: recipients[i]!.id, message: "hello" } }),
      [201],
      "intros",
    );
  });

  it("other changes count against the general write limit, reads against nothing", async () => {
    const u = await newUser(a.app);
    await holdsAcrossInstances(
      LIMITS.write.perUser,
      (app, i) => send(app, "PATCH", "/api/users/me", { token: u.token, body: { bio: `bio ${i}` } }),
      [200],
      "users",
    );
    // Reads are never limited, not even for a limited user.
    for (let i = 0; i < 150; i++) {
      const res = await send(i % 2 ? b.app : a.app, "GET", "/api/me", { token: u.token });
      expect(res.statusCode).toBe(200);
    }
  });
});

describe("limits per client address", () => {
  it(`signups: ${LIMITS.signup.perAddress} per hour per address, across instances; other addresses unaffected`, async () => {
    const from = address();
    await holdsAcrossInstances(
      LIMITS.signup.perAddress,
      (app, i) =>
        send(app, "POST", "/api/auth/signup", {
          body: {
            email: `s${i}-${randomUUID().slice(0, 6)}@example.test`,
            password: "correct horse battery",
            name: "S",
          },
          from,
        }),
      [201],
      "users",
    );
    const other = await send(a.app, "POST", "/api/auth/signup", {
      body: { email: `x-${randomUUID().slice(0, 6)}@example.test`, password: "correct horse battery", name: "S" },
      from: address(),
    });
    expect(other.statusCode).toBe(201);
  });

  it(`comments: ${LIMITS.comment.perAddress} per minute per address, whoever is signed in`, async () => {
    const from = address();
    const users = await Promise.all(Array.from({ length: 5 }, () => newUser(a.app)));
    const p = await createProject(a.app, users[0]!);
    await holdsAcrossInstances(
      LIMITS.comment.perAddress,
      (app, i) =>
        send(app, "POST", `/api/projects/${p.id}/comments`, {
          token: users[i % users.length]!.token,
          body: { body: `c${i}` },
          from,
        }),
      [201],
      "comments",
    );
  });

  it("groups IPv6 addresses by /64 and IPv4-mapped ones as IPv4", () => {
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe(addressKey("2001:db8:1:2:bbbb:cccc:dddd:eeee"));
    expect(addressKey("2001:db8:1:2::1")).not.toBe(addressKey("2001:db8:1:3::1"));
    expect(addressKey("::ffff:10.1.2.3")).toBe("10.1.2.3");
    expect(addressKey("10.1.2.3")).toBe("10.1.2.3");
  });
});

describe("RATE_LIMITS=off", () => {
  it("turns the write limits off", async () => {
    const u = await newUser(off.app);
    const p = await createProject(off.app, u);
    for (let i = 0; i < LIMITS.comment.perUser + 5; i++) {
      const res = await send(off.app, "POST", `/api/projects/${p.id}/comments`, {
        token: u.token,
        body: { body: `${i}` },
      });
      expect(res.statusCode).toBe(201);
    }
  });
});

describe("failed logins", () => {
  const login = (app: FastifyInstance, email: string, password: string, from: string) =>
    send(app, "POST", "/api/auth/login", { body: { email, password }, from });

  it(`evaluate at most ${LOGIN_LIMITS.perEmailAndAddress} of 40 parallel wrong tries for one email, across instances`, async () => {
    const victim = await newUser(a.app, "victim's real password");
    const attacker = address();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login(i % 2 ? b.app : a.app, victim.email, `guess ${i}`, attacker)),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LOGIN_LIMITS.perEmailAndAddress);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - LOGIN_LIMITS.perEmailAndAddress);
    for (const r of results.filter((r) => r.statusCode === 429)) expectLimited(r as never);
    // The attacker's address is refused even the right password…
    expect((await login(b.app, victim.email, "victim's real password", attacker)).statusCode).toBe(429);
    // …but the victim, from an address with no failures, is never locked out by them.
    expect((await login(a.app, victim.email, "victim's real password", address())).statusCode).toBe(200);
    expect((await login(b.app, victim.email, "victim's real password", address())).statusCode).toBe(200);
  });

  it("a right password clears the (email, address) count: only failures count", async () => {
    const u = await newUser(a.app, "the right password");
    const from = address();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < LOGIN_LIMITS.perEmailAndAddress - 1; i++)
        expect((await login(i % 2 ? b.app : a.app, u.email, "wrong", from)).statusCode).toBe(401);
      expect((await login(a.app, u.email, "the right password", from)).statusCode).toBe(200);
    }
  });

  it(`limits ${LOGIN_LIMITS.perAddress} failed logins per address over any emails, in parallel too`, async () => {
    const from = address();
    const results = await Promise.all(
      Array.from({ length: LOGIN_LIMITS.perAddress + 20 }, (_, i) =>
        login(i % 2 ? b.app : a.app, `spray${i}@example.test`, "guess", from),
      ),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LOGIN_LIMITS.perAddress);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    // Another address is not affected.
    const u = await newUser(a.app, "someone else's secret");
    expect((await login(b.app, u.email, "someone else's secret", address())).statusCode).toBe(200);
  });

  it("apply with RATE_LIMITS=off too (they protect accounts, not capacity)", async () => {
    const u = await newUser(off.app);
    const from = address();
    const statuses: number[] = [];
    for (let i = 0; i <= LOGIN_LIMITS.perEmailAndAddress; i++)
      statuses.push((await login(off.app, u.email, "wrong", from)).statusCode);
    expect(statuses.at(-1)).toBe(429);
  });
});
