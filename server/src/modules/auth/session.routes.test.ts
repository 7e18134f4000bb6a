/** GET /api/auth/session: who is signed in, without a 401 for visitors (the web app's first request). */
import { describe, expect, it } from "vitest";
import { testApp } from "../../../test/fixture.js";
import { call, signup } from "../../../test/helpers.js";

const ctx = testApp();

describe("GET /api/auth/session", () => {
  it("answers a visitor, and a stale cookie, with 200 and user null, never cached", async () => {
    for (const headers of [{}, { cookie: "zs_session=stale" }] as Record<string, string>[]) {
      const res = await call(ctx.app, "GET", "/api/auth/session", { headers });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ user: null });
      expect(res.headers["cache-control"]).toBe("no-store");
    }
  });

  it("answers a signed-in user with the same user as /api/me, and null after logout", async () => {
    const user = await signup(ctx.app, { name: "Session Reader" });
    const me = await call(ctx.app, "GET", "/api/me", { token: user.token });
    const session = await call(ctx.app, "GET", "/api/auth/session", { token: user.token });
    expect(session.statusCode).toBe(200);
    expect(session.json()).toEqual({ user: me.json() });
    expect((session.json() as { user: { id: string } }).user.id).toBe(user.id);

    const login = await call(ctx.app, "POST", "/api/auth/login", {
      body: { email: user.email, password: "correct horse battery" },
    });
    const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
    expect((await call(ctx.app, "GET", "/api/auth/session", { headers: { cookie } })).json()).toEqual({
      user: me.json(),
    });
    await call(ctx.app, "POST", "/api/auth/logout", { headers: { cookie } });
    expect((await call(ctx.app, "GET", "/api/auth/session", { headers: { cookie } })).json()).toEqual({ user: null });
  });
});
