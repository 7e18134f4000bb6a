import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { testApp } from "../../../test/fixture.js";
import { call, signup, TEST_JWT_SECRET } from "../../../test/helpers.js";

const ctx = testApp({ config: { adminEmails: ["boss@example.test"] } });

const countUsers = async () => Number((await ctx.sql.query("SELECT count(*) FROM users")).rows[0].count);

describe("signup", () => {
  it("creates the account, returns user and token, sets an httpOnly SameSite=Lax cookie", async () => {
    const res = await call(ctx.app, "POST", "/api/auth/signup", {
      body: { email: "  Alice@Example.TEST ", password: "long enough secret", name: " Alice " },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.user).toMatchObject({ email: "alice@example.test", name: "Alice", role: "user" });
    expect(typeof body.token).toBe("string");
    expect(JSON.stringify(body)).not.toMatch(/password|hash/i);
    const cookie = String(res.headers["set-cookie"]);
    expect(cookie).toMatch(/^zs_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const row = await ctx.sql.query("SELECT password_hash FROM users WHERE email = $1", ["alice@example.test"]);
    expect(row.rows[0].password_hash).toMatch(/^\$argon2id\$/);
  });

  it("rejects a duplicate email (any case) with 409 and writes nothing", async () => {
    await signup(ctx.app, { email: "dup@example.test" });
    const before = await countUsers();
    const res = await call(ctx.app, "POST", "/api/auth/signup", {
      body: { email: "DUP@example.test", password: "another secret", name: "Dup" },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe("EMAIL_TAKEN");
    expect(await countUsers()).toBe(before);
  });

  it.each([
    ["missing fields", {}],
    ["wrong types", { email: 1, password: true, name: [] }],
    ["bad email", { email: "not-an-email", password: "long enough", name: "X" }],
    ["short password", { email: "short@example.test", password: "short", name: "X" }],
    ["empty name", { email: "noname@example.test", password: "long enough", name: "   " }],
    ["over-long name", { email: "long@example.test", password: "long enough", name: "x".repeat(81) }],
  ])("rejects %s with 400 in the SPEC error shape and writes nothing", async (_label, body) => {
    const before = await countUsers();
    const res = await call(ctx.app, "POST", "/api/auth/signup", { body });
    expect(res.statusCode).toBe(400);
    const err = res.json().error;
    expect(err.code).toBe("VALIDATION_ERROR");
    expect(typeof err.message).toBe("string");
    expect(Array.isArray(err.details)).toBe(true);
    expect(await countUsers()).toBe(before);
  });

  it("answers malformed JSON with 400 BAD_JSON and writes nothing", async () => {
    const before = await countUsers();
    const res = await ctx.app.inject({
      method: "POST",
      url: "/api/auth/signup",
      headers: { "content-type": "application/json" },
      payload: '{"email": "x@example.test", "password": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("BAD_JSON");
    expect(await countUsers()).toBe(before);
  });

  it("makes ADMIN_EMAILS admins", async () => {
    const boss = await signup(ctx.app, { email: "boss@example.test" });
    expect(boss.role).toBe("admin");
  });
});

describe("login, me, logout", () => {
  it("logs in, reads /api/me with the bearer token and with the cookie, logs out", async () => {
    const u = await signup(ctx.app, { email: "bob@example.test", password: "bob's password" });
    const login = await call(ctx.app, "POST", "/api/auth/login", {
      body: { email: "bob@example.test", password: "bob's password" },
    });
    expect(login.statusCode).toBe(200);
    const { token, user } = login.json();
    expect(user.id).toBe(u.id);

    const viaBearer = await call(ctx.app, "GET", "/api/me", { token });
    expect(viaBearer.statusCode).toBe(200);
    expect(viaBearer.json()).toMatchObject({ id: u.id, email: "bob@example.test" });
    expect(JSON.stringify(viaBearer.json())).not.toMatch(/password/i);

    const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
    const viaCookie = await call(ctx.app, "GET", "/api/me", { headers: { cookie } });
    expect(viaCookie.statusCode).toBe(200);
    expect(viaCookie.json().id).toBe(u.id);

    const out = await call(ctx.app, "POST", "/api/auth/logout", { headers: { cookie } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers["set-cookie"])).toMatch(/zs_session=;/);
    // The session is revoked: neither the cookie nor the token works any more.
    expect((await call(ctx.app, "GET", "/api/me", { headers: { cookie } })).statusCode).toBe(401);
    expect((await call(ctx.app, "GET", "/api/me", { token })).statusCode).toBe(401);
    // Other sessions of the same user are untouched.
    expect((await call(ctx.app, "GET", "/api/me", { token: u.token })).statusCode).toBe(200);
  });

  it("gives the same 401 for a wrong password and an unknown email", async () => {
    await signup(ctx.app, { email: "carol@example.test", password: "carol's password" });
    const wrong = await call(ctx.app, "POST", "/api/auth/login", {
      body: { email: "carol@example.test", password: "not it at all" },
    });
    const unknown = await call(ctx.app, "POST", "/api/auth/login", {
      body: { email: "nobody@example.test", password: "not it at all" },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.headers["set-cookie"]).toBeUndefined();
  });

  it("rate-limits failed logins per email", async () => {
    await signup(ctx.app, { email: "dave@example.test", password: "dave's password" });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await call(ctx.app, "POST", "/api/auth/login", {
        body: { email: "dave@example.test", password: `wrong ${i}` },
      });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    const limited = await call(ctx.app, "POST", "/api/auth/login", {
      body: { email: "dave@example.test", password: "dave's password" },
    });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe("RATE_LIMITED");
    expect(limited.headers["retry-after"]).toBeDefined();
  });

  it("rate-limits failed logins per client address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 52; i++) {
      const res = await ctx.app.inject({
        method: "POST",
        url: "/api/auth/login",
        remoteAddress: "10.9.8.7",
        headers: { "content-type": "application/json" },
        payload: JSON.stringify({ email: `spray${i}@example.test`, password: "guess" }),
      });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 50).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(50)).toEqual([429, 429]);
  });

  it("requires a session for /api/me and logout", async () => {
    expect((await call(ctx.app, "GET", "/api/me")).statusCode).toBe(401);
    const res = await call(ctx.app, "POST", "/api/auth/logout");
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe("UNAUTHORIZED");
  });
});

describe("tokens", () => {
  it("rejects a tampered JWT", async () => {
    const u = await signup(ctx.app);
    const [h, p, s] = u.token.split(".");
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: "00000000-0000-4000-8000-000000000000" })).toString(
      "base64url",
    );
    expect((await call(ctx.app, "GET", "/api/me", { token: `${h}.${forged}.${s}` })).statusCode).toBe(401);
    const flipped = `${h}.${p}.${s!.slice(0, -2)}${s!.slice(-2) === "AA" ? "BB" : "AA"}`;
    expect((await call(ctx.app, "GET", "/api/me", { token: flipped })).statusCode).toBe(401);
    expect((await call(ctx.app, "GET", "/api/me", { token: "garbage" })).statusCode).toBe(401);
  });

  it("rejects a token signed with another secret, an alg:none token and an expired token", async () => {
    const u = await signup(ctx.app);
    const claims = JSON.parse(Buffer.from(u.token.split(".")[1]!, "base64url").toString());
    const other = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("another-secret-another-secret-another"));
    expect((await call(ctx.app, "GET", "/api/me", { token: other })).statusCode).toBe(401);
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${u.token.split(".")[1]}.`;
    expect((await call(ctx.app, "GET", "/api/me", { token: none })).statusCode).toBe(401);
    const expired = await new SignJWT({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    expect((await call(ctx.app, "GET", "/api/me", { token: expired })).statusCode).toBe(401);
  });

  it("rejects a token it accepted before once the token expires (verified tokens are remembered, not their validity)", async () => {
    const u = await signup(ctx.app);
    const claims = JSON.parse(Buffer.from(u.token.split(".")[1]!, "base64url").toString());
    const exp = Math.floor(Date.now() / 1000) + 1;
    const short = await new SignJWT({ ...claims, exp })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    expect((await call(ctx.app, "GET", "/api/me", { token: short })).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - Date.now()) + 50));
    expect((await call(ctx.app, "GET", "/api/me", { token: short })).statusCode).toBe(401);
    // A remembered token still dies with its session.
    expect((await call(ctx.app, "GET", "/api/me", { token: u.token })).statusCode).toBe(200);
    expect((await call(ctx.app, "POST", "/api/auth/logout", { token: u.token })).statusCode).toBe(204);
    expect((await call(ctx.app, "GET", "/api/me", { token: u.token })).statusCode).toBe(401);
  });

  it("treats a stale cookie as signed out on public routes", async () => {
    const res = await call(ctx.app, "GET", "/api/projects", { headers: { cookie: "zs_session=stale" } });
    expect(res.statusCode).toBe(200);
  });
});
