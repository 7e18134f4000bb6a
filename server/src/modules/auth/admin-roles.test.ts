/**
 * Admin roles (SPEC "Operating contract"): ADMIN_EMAILS grants at signup and
 * login and takes back what it granted; `npm run admin` grants and revokes from
 * the shell; a server-mode start warns about listed emails nobody has claimed.
 */
import { spawn } from "node:child_process";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { testApp } from "../../../test/fixture.js";
import {
  call,
  setupApp,
  signup,
  TEST_JWT_SECRET,
  type TestContext,
  testConfig,
  waitFor,
} from "../../../test/helpers.js";
import { buildApp } from "../../app.js";

const ctx = testApp({ config: { adminEmails: ["listed@example.test", "unclaimed@example.test"] } });

const PASSWORD = "correct horse battery";
const roleOf = async (token: string) => (await call(ctx.app, "GET", "/api/me", { token })).json().role;
const login = async (app: TestContext["app"], email: string) =>
  (await call(app, "POST", "/api/auth/login", { body: { email, password: PASSWORD } })).json();

function admin(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "server/src/db/admin.cli.ts", ...args], {
      env: {
        ...process.env,
        DATABASE_URL: ctx.db.url,
        REDIS_URL: ctx.config.redisUrl ?? "",
        JWT_SECRET: TEST_JWT_SECRET,
        ADMIN_EMAILS: "listed@example.test",
        LOG_LEVEL: "silent",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.once("exit", (code) => resolve({ code, out }));
  });
}

describe("ADMIN_EMAILS", () => {
  it("makes a listed email admin at signup, and demotes them at the next login once the email leaves the list", async () => {
    const u = await signup(ctx.app, { email: "listed@example.test", password: PASSWORD });
    expect(u.role).toBe("admin");
    // Same database, the list without them.
    const unlisted = await setupApp({ share: ctx, config: { adminEmails: [] } });
    try {
      const again = await login(unlisted.app, "listed@example.test");
      expect(again.user.role).toBe("user");
      await waitFor(async () => (await roleOf(u.token)) === "user", 5000, "the old session to see the demotion");
      // Listed again: admin again at the next login.
      expect((await login(ctx.app, "listed@example.test")).user.role).toBe("admin");
    } finally {
      await unlisted.close();
    }
  });

  it("never demotes an admin it did not make", { timeout: 180_000 }, async () => {
    const u = await signup(ctx.app, { password: PASSWORD });
    expect((await admin("grant", u.email)).code).toBe(0);
    expect((await login(ctx.app, u.email)).user.role).toBe("admin");
  });

  it("warns at a server-mode start about each listed email without an account", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = await buildApp({
      config: {
        ...testConfig(ctx.db.url, { redisKeyPrefix: ctx.config.redisKeyPrefix }),
        adminEmails: ["listed@example.test", "unclaimed@example.test"],
      },
      logger: { level: "warn", stream },
      web: false,
      migrate: false,
    });
    try {
      await app.ready();
    } finally {
      await app.close();
    }
    const warnings = lines.map((l) => JSON.parse(l)).filter((l) => /ADMIN_EMAILS/.test(l.msg));
    expect(warnings.map((w) => w.email)).toEqual(["unclaimed@example.test"]);
  });
});

describe("npm run admin", () => {
  it("grants and revokes a role from the shell; running instances see it at once", { timeout: 180_000 }, async () => {
    const u = await signup(ctx.app, { password: PASSWORD });
    expect(await roleOf(u.token)).toBe("user");
    const granted = await admin("grant", u.email.toUpperCase());
    expect(granted.code, granted.out).toBe(0);
    expect(granted.out).toMatch(/is an admin/);
    await waitFor(async () => (await roleOf(u.token)) === "admin", 5000, "the grant");
    const revoked = await admin("revoke", u.email);
    expect(revoked.code, revoked.out).toBe(0);
    await waitFor(async () => (await roleOf(u.token)) === "user", 5000, "the revoke");
  });

  it("fails with a message for an unknown email or bad arguments, changing nothing", { timeout: 180_000 }, async () => {
    const unknown = await admin("grant", "nobody@example.test");
    expect(unknown.code).toBe(1);
    expect(unknown.out).toMatch(/No account/);
    expect((await admin("promote", "x@example.test")).code).toBe(2);
    expect((await admin("grant")).code).toBe(2);
    const warned = await admin("revoke", "listed@example.test");
    expect(warned.out).toMatch(/ADMIN_EMAILS/);
  });
});
