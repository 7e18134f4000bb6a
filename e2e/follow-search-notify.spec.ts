/**
 * The live scenarios of follows, notifications and search (issue 11), each
 * with several people in browsers of their own on both app instances.
 */
import { expect, test } from "./fixtures";

test.describe.configure({ mode: "default" });

test("a followed maker posts and the follower's Following tab shows it live", async ({ people, api }) => {
  const [maker, fan] = await people("Maker", "Fan");
  // The fan follows by clicking, on the maker's profile.
  await fan!.goto(`/users/${maker!.user!.id}`);
  await fan!.page.getByRole("button", { name: "Follow", exact: true }).click();
  await expect(fan!.page.getByRole("button", { name: "Unfollow", exact: true })).toBeVisible();
  await expect(fan!.page.getByTestId("followers")).toHaveText("1");

  await fan!.goto("/following");
  await expect(fan!.page.getByText("Nothing from makers you follow yet")).toBeVisible();
  // The maker posts from their browser, on the other instance.
  await maker!.goto("/projects/new");
  const title = `Followed post ${Date.now()}`;
  await maker!.page.getByLabel("Title").fill(title);
  await maker!.page.getByRole("button", { name: "Create project" }).click();
  await expect(maker!.page).toHaveURL(/\/projects\/[0-9a-f-]{36}$/);
  await expect(fan!.page.getByRole("article", { name: title })).toBeVisible();
  // …and it is in the fan's notifications too.
  const inbox = await api(fan!.user).get<{ unreadCount: number; items: { kind: string }[] }>("/notifications");
  expect(inbox.items.map((n) => n.kind)).toContain("new_project");
  await expect(fan!.page.getByTestId("notification-count")).toHaveText(String(inbox.unreadCount));
});

test("a comment on your project lights the bell; reading it clears the count in your other tab", async ({
  people,
  openBrowser,
  createProject,
}) => {
  const [owner, commenter] = await people("Owner", "Commenter");
  const project = await createProject(owner!.user!, { title: `Bell project ${Date.now()}` });
  // The owner has two tabs: one on the feed, one that will read the notification.
  const otherTab = await openBrowser(owner!.user, { instance: 1 });
  await Promise.all([owner!.goto("/"), otherTab.goto("/"), commenter!.goto(`/projects/${project.id}`)]);
  await expect(owner!.page.getByTestId("notification-count")).toHaveText("0");

  await commenter!.page.getByRole("textbox", { name: "Comment", exact: true }).fill("Lovely work!");
  await commenter!.page.getByRole("button", { name: "Post comment" }).click();
  for (const tab of [owner!, otherTab]) await expect(tab.page.getByTestId("notification-count")).toHaveText("1");
  // A toast for the live one.
  await expect(owner!.page.getByText("New comment on your project")).toBeVisible();

  await otherTab.goto("/notifications");
  const item = otherTab.page.getByRole("listitem").filter({ hasText: "commented on" });
  await expect(item).toContainText(project.title);
  await item.getByRole("button", { name: "Mark as read" }).click();
  for (const tab of [owner!, otherTab]) await expect(tab.page.getByTestId("notification-count")).toHaveText("0");
  // The item links to what it is about.
  await item.getByRole("link", { name: /commented on/ }).click();
  await expect(otherTab.page).toHaveURL(new RegExp(`/projects/${project.id}`));
});

test("search results update when a matching project is created and when its title changes", async ({ people, api }) => {
  const [searcher, maker] = await people("Searcher", "Maker");
  const word = `zq${Date.now().toString(36)}`;
  await searcher!.goto(`/search?q=${word}`);
  await expect(searcher!.page.getByText("No projects match")).toBeVisible();

  const created = await api(maker!.user).post<{ id: string }>("/projects", {
    title: `The ${word} engine`,
    description: "Found by search",
    tags: ["searchable"],
  });
  const results = searcher!.page.getByRole("region", { name: "Search results" });
  await expect(results.getByRole("article", { name: `The ${word} engine` })).toBeVisible();
  await expect(searcher!.page.getByTestId("result-count")).toHaveText("1");

  await api(maker!.user).patch(`/projects/${created.id}`, { title: "Something else entirely" });
  await expect(searcher!.page.getByText("No projects match")).toBeVisible();

  // Tag chips lead to the tag's page.
  await maker!.goto(`/projects/${created.id}`);
  await maker!.page.getByRole("link", { name: "#searchable" }).first().click();
  await expect(maker!.page).toHaveURL(/\/search\?tag=searchable/);
  await expect(maker!.page.getByRole("article", { name: "Something else entirely" })).toBeVisible();
});

test("/search, /following and /notifications are real URLs that survive a reload", async ({
  createUser,
  openBrowser,
}) => {
  const me = await createUser({ name: "Deep Link Follower" });
  const signedIn = await openBrowser(me);
  const pages: [string, string][] = [
    ["/search?q=deep", "Results for “deep”"],
    ["/search?tag=devtools", "Projects tagged #devtools"],
    ["/following", "From makers you follow"],
    ["/notifications", "Notifications"],
  ];
  for (const [path, heading] of pages) {
    await signedIn.goto(path);
    await expect(signedIn.page.getByRole("heading", { level: 1 })).toHaveText(heading);
    await signedIn.page.reload();
    await expect(signedIn.page).toHaveURL(path);
    await expect(signedIn.page.getByRole("heading", { level: 1 })).toHaveText(heading);
  }
  // The header's search box leads to the search page.
  await signedIn.page.getByLabel("Search", { exact: true }).fill("deep link");
  await signedIn.page.getByLabel("Search", { exact: true }).press("Enter");
  await expect(signedIn.page).toHaveURL(/\/search\?q=deep\+link/);
});
