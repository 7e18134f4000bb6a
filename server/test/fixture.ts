/**
 * The preamble of an integration test file, written once: the app in server
 * mode against a fresh database of the file's own and real Redis (`testApp`),
 * a second instance on the same database and key prefix (`testApp({ share })`),
 * and users signed up by name, some made admins (`testUsers`). Each registers
 * its own `beforeAll` and `afterAll`; after-hooks run in reverse order, so a
 * second instance closes before the first, and the users need no teardown.
 *
 * What they return is an object that `beforeAll` fills in (a TestContext, a
 * TestUser): read it inside tests and hooks, never at a file's top level.
 */
import { afterAll, beforeAll } from "vitest";
import { makeAdmin, type SetupOptions, setupApp, signup, type TestContext, type TestUser } from "./helpers.js";

/**
 * One app instance for this file. `opts` may be a function when its values
 * exist only once an earlier `beforeAll` ran (a proxy's URL, another instance).
 */
export function testApp(opts: SetupOptions | (() => SetupOptions) = {}): TestContext {
  const ctx = {} as TestContext;
  beforeAll(async () => {
    Object.assign(ctx, await setupApp(typeof opts === "function" ? opts() : opts));
  });
  // A setup that failed leaves nothing to close (and must not hide its own error).
  afterAll(() => ctx.close?.());
  return ctx;
}

/** A user to sign up: a display name, or the name and whether an operator made them an admin. */
export type UserSpec = string | { name?: string; admin?: boolean };

/**
 * Users signed up in the order given (their names as given; `{}` takes a
 * generated one), admins made as an operator would, before this file's tests.
 */
export function testUsers<K extends string>(ctx: TestContext, spec: Record<K, UserSpec>): Record<K, TestUser> {
  const entries = Object.entries(spec) as [K, UserSpec][];
  const users = Object.fromEntries(entries.map(([key]) => [key, {} as TestUser])) as Record<K, TestUser>;
  beforeAll(async () => {
    for (const [key, s] of entries) {
      const { name, admin } = typeof s === "string" ? { name: s, admin: false } : s;
      Object.assign(users[key], await signup(ctx.app, name === undefined ? {} : { name }));
      if (admin) await makeAdmin(ctx, users[key]);
    }
  });
  return users;
}
