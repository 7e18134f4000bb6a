/**
 * SPEC "Security contract": every page works under the Content-Security-Policy
 * (scripts only from the app's own origin, nothing inline), with no violation
 * reported, while people read, vote, comment and message live.
 */
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

/** Collects CSP violations two ways: the DOM event, and Chromium's console report. */
async function watchCsp(page: Page) {
  const reported: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(m.text()))
      reported.push(m.text());
  });
  page.on("pageerror", (err) => reported.push(`page error: ${err.message}`));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener("securitypolicyviolation", (e) =>
      seen.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  return {
    all: async () => [...reported, ...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp))],
  };
}

test("every page works under the CSP with no violation", async ({ createUser, createProject, api, openBrowser }) => {
  // Nine pages, two browsers and three live round trips: longer than one page's default budget.
  test.setTimeout(180_000);
  const owner = await createUser({ name: "CSP Owner" });
  const me = await createUser({ name: "CSP Reader" });
  const project = await createProject(owner, { title: "Under the policy", description: "Strict CSP" });
  await api(owner).post("/intros", { toUserId: me.id, projectId: project.id, message: "Meet under the CSP" });
  await api(owner).post("/messages", { toUserId: me.id, body: "Hello under the CSP" });

  const signedIn = await openBrowser(me, { instance: 1 });
  const csp = await watchCsp(signedIn.page);
  const first = await signedIn.page.goto("/");
  const header = String(first?.headers()["content-security-policy"]);
  expect(header).toMatch(/script-src 'self'/);
  expect(header).toMatch(/frame-ancestors 'none'/);
  expect(first?.headers()["x-content-type-options"]).toBe("nosniff");

  const pages: [string, (p: Page) => Promise<void>][] = [
    ["/", (p) => expect(p.getByRole("link", { name: project.title }).first()).toBeVisible()],
    [`/projects/${project.id}`, (p) => expect(p.getByRole("heading", { level: 1 })).toHaveText(project.title)],
    [`/users/${owner.id}`, (p) => expect(p.getByRole("heading", { level: 1 })).toHaveText(owner.name)],
    ["/leaderboard", (p) => expect(p.getByRole("heading", { level: 1 })).toHaveText("Leaderboard")],
    ["/intros", (p) => expect(p.getByText("Meet under the CSP")).toBeVisible()],
    ["/messages", (p) => expect(p.getByTestId("conversation").filter({ hasText: owner.name })).toBeVisible()],
    [`/messages/${owner.id}`, (p) => expect(p.getByText("Hello under the CSP")).toBeVisible()],
    ["/projects/new", (p) => expect(p.getByRole("heading", { level: 1 })).toHaveText("Share a project")],
    ["/no/such/page", (p) => expect(p.getByText("Page not found", { exact: true })).toBeVisible()],
  ];
  for (const [path, check] of pages) {
    await signedIn.goto(path);
    await check(signedIn.page);
  }

  // Live updates over the WebSocket (connect-src 'self') and writes from the page.
  const ownerView = await openBrowser(owner);
  const ownerCsp = await watchCsp(ownerView.page);
  await ownerView.goto(`/projects/${project.id}`);
  await signedIn.goto(`/projects/${project.id}`);
  await signedIn.page.getByRole("textbox", { name: "Comment", exact: true }).fill("Posted under the CSP");
  await signedIn.page.getByRole("button", { name: "Post comment" }).click();
  await expect(ownerView.page.getByText("Posted under the CSP")).toBeVisible();
  await signedIn.page.getByRole("button", { name: "Upvote" }).first().click();
  await signedIn.goto(`/messages/${owner.id}`);
  await signedIn.page.getByRole("textbox", { name: "Message" }).fill("Reply under the CSP");
  await signedIn.page.getByRole("button", { name: "Send" }).click();
  await ownerView.goto(`/messages/${me.id}`);
  await expect(ownerView.page.getByText("Reply under the CSP")).toBeVisible();

  const visitor = await openBrowser(null);
  const visitorCsp = await watchCsp(visitor.page);
  for (const [path, heading] of [
    ["/login", "Log in"],
    ["/signup", "Sign up"],
  ] as const) {
    await visitor.goto(path);
    await expect(visitor.page.getByRole("heading", { level: 1 })).toHaveText(heading);
  }

  expect(await csp.all()).toEqual([]);
  expect(await ownerCsp.all()).toEqual([]);
  expect(await visitorCsp.all()).toEqual([]);
});

test("the app refuses to be framed by another site", async ({ openBrowser }) => {
  const visitor = await openBrowser(null);
  const res = await visitor.page.goto("/login");
  expect(res?.headers()["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
  // A page of another origin (about:blank's opaque one) that frames the app gets an empty frame.
  const blocked: string[] = [];
  visitor.page.on("console", (m) => {
    if (/frame-ancestors|Refused to frame/i.test(m.text())) blocked.push(m.text());
  });
  await visitor.page.setContent(`<iframe id="f" src="${visitor.url}/login"></iframe>`);
  await expect.poll(() => blocked.length, { timeout: 10_000 }).toBeGreaterThan(0);
  const frame = visitor.page.frames().find((f) => f.url().includes("/login"));
  expect(
    await frame
      ?.locator("h1")
      .count()
      .catch(() => 0),
  ).toBe(0);
});
