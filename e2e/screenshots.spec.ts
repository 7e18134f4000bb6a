/**
 * Screenshots of the main pages at desktop and phone width, for people to
 * look at (e2e/artifacts/screenshots, not committed). The app here has a
 * database of its own, so the pages show this believable data set and
 * nothing the other specs create meanwhile.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "@playwright/test";
import { type Api, expect, PASSWORD, type TestUser, test } from "./fixtures";
import { ARTIFACTS } from "./support/app-server";

const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 375, height: 812 },
} as const;

const DIR = join(ARTIFACTS, "screenshots");

async function signup(api: Api, name: string, email: string): Promise<TestUser> {
  const body = await api.post<{ user: { id: string; role: "user" | "admin" }; token: string }>("/auth/signup", {
    email,
    password: PASSWORD,
    name,
  });
  return { id: body.user.id, email, name, password: PASSWORD, token: body.token, role: body.user.role };
}

async function settle(page: Page) {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
}

test("screenshots of the main pages at desktop and phone width", async ({
  startIsolatedApp,
  openBrowser,
  app,
}, testInfo) => {
  test.setTimeout(120_000);
  mkdirSync(DIR, { recursive: true });
  const iso = await startIsolatedApp();
  const anon = iso.api();
  const tag = testInfo.parallelIndex;
  const [maya, leo, sofia, jonas, admin] = await Promise.all([
    signup(anon, "Maya Chen", `maya-${tag}@shots.test`),
    signup(anon, "Leo Okafor", `leo-${tag}@shots.test`),
    signup(anon, "Sofia Rossi", `sofia-${tag}@shots.test`),
    signup(anon, "Jonas Weber", `jonas-${tag}@shots.test`),
    signup(anon, "Admin", app.adminEmails[tag % app.adminEmails.length]!),
  ]);
  const as = (u: TestUser) => iso.api(u);
  const project = (u: TestUser, title: string, description: string, tags: string[], url?: string) =>
    as(u).post<{ id: string }>("/projects", { title, description, tags, ...(url ? { url } : {}) });

  const lisp = await project(
    maya!,
    "Tiny Lisp in Rust",
    "A Lisp interpreter in 2,000 lines of Rust, with tail calls, macros and a REPL that explains its own errors. Built to teach how interpreters work, one small commit at a time.",
    ["rust", "compilers", "education"],
    "https://example.com/tiny-lisp",
  );
  const solar = await project(
    leo!,
    "Solar Dashboard",
    "Live output of our rooftop panels next to the weather forecast, so we run the dishwasher when the sun is out.",
    ["iot", "react", "energy"],
  );
  const recipes = await project(
    sofia!,
    "Recipe Remix",
    "Tell it what is left in the fridge and it suggests three recipes, ranked by how few things you need to buy.",
    ["ml", "food"],
  );
  const pixel = await project(
    jonas!,
    "Pixel Garden",
    "A cozy browser game where plants grow from the commits you push. No ads, no accounts, just pixels.",
    ["gamedev", "canvas"],
  );
  const pomodoro = await project(maya!, "Terminal Pomodoro", "A focus timer that lives in your tmux status line.", [
    "cli",
  ]);

  await Promise.all([
    as(leo!).post(`/projects/${lisp.id}/upvote`),
    as(sofia!).post(`/projects/${lisp.id}/upvote`),
    as(maya!).post(`/projects/${solar.id}/upvote`),
    as(jonas!).post(`/projects/${solar.id}/upvote`),
    as(maya!).post(`/projects/${recipes.id}/upvote`),
    as(leo!).post(`/projects/${pixel.id}/downvote`),
    as(sofia!).post(`/projects/${pomodoro.id}/upvote`),
  ]);
  const first = await as(leo!).post<{ id: string }>(`/projects/${lisp.id}/comments`, {
    body: "The error messages in the REPL are lovely. How do you keep the spans when macros expand?",
  });
  await as(maya!).post(`/projects/${lisp.id}/comments`, {
    body: "Every expanded node keeps the span of the form it came from, so errors point at what you typed.",
    parentId: first.id,
  });
  await as(sofia!).post(`/projects/${lisp.id}/comments`, { body: "Using this with my students next term!" });
  await as(admin!).post(`/projects/${lisp.id}/badges`, { kind: "staff_pick" });
  await as(admin!).post(`/projects/${solar.id}/feature`, { featured: true });

  const intro = await as(sofia!).post<{ id: string }>("/intros", {
    toUserId: maya!.id,
    projectId: lisp.id,
    message: "I teach a compilers course and would love to chat about using Tiny Lisp in class.",
  });
  await as(maya!).post(`/intros/${intro.id}/accept`);
  await as(leo!).post("/intros", {
    toUserId: maya!.id,
    message: "We are hiring for our energy team. Fancy a coffee?",
  });
  await as(maya!).post("/intros", {
    toUserId: jonas!.id,
    projectId: pixel.id,
    message: "Pixel Garden made my week. Could we talk about a collaboration?",
  });
  await as(leo!).post("/messages", { toUserId: maya!.id, body: "Hey Maya! Saw Tiny Lisp on the feed, great work." });
  await as(maya!).get(`/conversations/${leo!.id}`); // read
  await as(maya!).post("/messages", { toUserId: leo!.id, body: "Thank you! The macro expander took the longest." });
  await as(leo!).post("/messages", { toUserId: maya!.id, body: "Would you give a short talk at our meetup?" });
  await as(sofia!).post("/messages", { toUserId: maya!.id, body: "Thanks for accepting! When suits you?" });

  const pages: [string, string][] = [
    ["feed", "/"],
    ["project", `/projects/${lisp.id}`],
    ["leaderboard", "/leaderboard"],
    ["profile", `/users/${maya!.id}`],
    ["intros", "/intros"],
    ["messages", "/messages"],
    ["conversation", `/messages/${leo!.id}`],
  ];
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    const signedIn = await openBrowser(maya!, { url: iso.url, viewport });
    for (const [name, path] of pages) {
      await signedIn.goto(path);
      await settle(signedIn.page);
      await shoot(signedIn.page, `${name}-${size}`);
    }
    const visitor = await openBrowser(null, { url: iso.url, viewport });
    for (const [name, path] of [
      ["login", "/login"],
      ["signup", "/signup"],
    ] as const) {
      await visitor.goto(path);
      await settle(visitor.page);
      await shoot(visitor.page, `${name}-${size}`);
    }
    // Nothing wider than the screen on a phone.
    if (size === "phone") {
      await signedIn.goto(`/projects/${lisp.id}`);
      const overflow = await signedIn.page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
      expect(overflow, "no horizontal scroll at phone width").toBeLessThanOrEqual(0);
    }
  }

  async function shoot(page: Page, name: string) {
    const path = join(DIR, `${name}.png`);
    await page.screenshot({ path, fullPage: true, animations: "disabled" });
    await testInfo.attach(name, { path, contentType: "image/png" });
  }
});
