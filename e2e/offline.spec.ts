/**
 * Offline: what you do is visibly pending and is sent when the connection is
 * back; a page that cannot load says why instead of showing a skeleton.
 */
import { expect, test } from "./fixtures";

test("a vote and a comment made offline are shown pending, then sent when the connection is back", async ({
  people,
  createProject,
}) => {
  const [ann, ben] = await people("Ann", "Ben");
  const project = await createProject(ben!.user!, { title: "Offline votes" });
  await Promise.all([ann!.goto(`/projects/${project.id}`), ben!.goto(`/projects/${project.id}`)]);

  await ann!.context.setOffline(true);
  await ann!.page.getByRole("button", { name: "Upvote", exact: true }).click();
  await expect(ann!.page.getByTestId("vote-pending")).toBeVisible();
  await expect(ann!.page.locator(".vote").getByTestId("score")).toHaveText("1");
  await ann!.page.getByRole("textbox", { name: "Comment", exact: true }).fill("Written on a train");
  await ann!.page.getByRole("button", { name: "Post comment" }).click();
  await expect(ann!.page.getByTestId("comment-pending")).toBeVisible();
  // Nothing reached the server yet.
  await ben!.page.waitForTimeout(500);
  await expect(ben!.page.locator(".vote").getByTestId("score")).toHaveText("0");
  await expect(ben!.page.getByText("Written on a train")).toHaveCount(0);

  await ann!.context.setOffline(false);
  await expect(ben!.page.locator(".vote").getByTestId("score")).toHaveText("1");
  await expect(ben!.page.locator(".comment-body", { hasText: "Written on a train" })).toBeVisible();
  await expect(ann!.page.getByTestId("vote-pending")).toHaveCount(0);
  await expect(ann!.page.getByTestId("comment-pending")).toHaveCount(0);
  await expect(ann!.page.locator(".comment-body", { hasText: "Written on a train" })).toHaveCount(1);
});

test("a page opened while offline or while the server is down says so, then loads", async ({
  createUser,
  createProject,
  openBrowser,
}) => {
  const owner = await createUser({ name: "Offline Owner" });
  await createProject(owner, { title: "Opened offline" });
  const visitor = await openBrowser(null);
  await visitor.goto("/?sort=newest");
  // The other pages' code arrives while the tab is idle.
  await expect
    .poll(() =>
      visitor.page.evaluate(() =>
        performance.getEntriesByType("resource").some((e) => /profile-page-.*\.js$/.test(e.name)),
      ),
    )
    .toBe(true);

  // The API is down (the page itself was served earlier).
  await visitor.page.route("**/api/**", (route) => route.abort("connectionrefused"));
  await visitor.page.getByRole("link", { name: "Leaderboard" }).click();
  await expect(visitor.page.getByTestId("stalled").first()).toContainText("Cannot reach Zerostale");
  await visitor.page.unroute("**/api/**");
  await expect(visitor.page.getByRole("heading", { level: 1 })).toHaveText("Leaderboard");

  // The device is offline.
  await visitor.context.setOffline(true);
  await visitor.page.goBack();
  await visitor.page.getByRole("article", { name: "Opened offline" }).getByRole("link", { name: owner.name }).click();
  await expect(visitor.page.getByTestId("stalled").first()).toContainText("You are offline");
  await expect(visitor.page.locator('[aria-busy="true"]')).toHaveCount(0);
  await visitor.context.setOffline(false);
  await expect(visitor.page.getByRole("heading", { level: 1 })).toHaveText(owner.name);
});
