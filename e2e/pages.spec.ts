/**
 * Pages at real URLs that survive a reload, and user text that stays text.
 */
import { expect, test } from "./fixtures";

test("deep links survive a reload", async ({ createUser, createProject, api, openBrowser }) => {
  const owner = await createUser({ name: "Deep Link Owner" });
  const me = await createUser({ name: "Deep Link Reader" });
  const project = await createProject(owner, { title: "Deep link target" });
  await api(me).post("/messages", { toUserId: owner.id, body: "Hello from a deep link" });

  const signedIn = await openBrowser(me, { instance: 1 });
  const pages: [string, (p: typeof signedIn.page) => Promise<void>][] = [
    [`/projects/${project.id}`, (p) => expect(p.getByRole("heading", { level: 1 })).toHaveText(project.title)],
    [`/projects/${project.id}#comments`, (p) => expect(p.getByRole("heading", { name: /^Comments/ })).toBeVisible()],
    [`/users/${owner.id}`, (p) => expect(p.getByRole("heading", { level: 1 })).toHaveText(owner.name)],
    ["/leaderboard", (p) => expect(p.getByRole("heading", { level: 1 })).toHaveText("Leaderboard")],
    ["/intros", (p) => expect(p.getByRole("heading", { level: 1 })).toHaveText("Intros")],
    ["/messages", (p) => expect(p.getByTestId("conversation").filter({ hasText: owner.name })).toBeVisible()],
    [`/messages/${owner.id}`, (p) => expect(p.getByText("Hello from a deep link")).toBeVisible()],
    ["/projects/new", (p) => expect(p.getByRole("heading", { level: 1 })).toHaveText("Share a project")],
    ["/?sort=top", (p) => expect(p.getByRole("link", { name: "Top" })).toHaveAttribute("aria-current", "page")],
    ["/no/such/page", (p) => expect(p.getByText("Page not found", { exact: true })).toBeVisible()],
  ];
  for (const [path, check] of pages) {
    await signedIn.goto(path);
    await check(signedIn.page);
    await signedIn.page.reload();
    await expect(signedIn.page).toHaveURL(path);
    await check(signedIn.page);
  }

  const visitor = await openBrowser(null);
  for (const [path, heading] of [
    ["/login", "Log in"],
    ["/signup", "Sign up"],
  ] as const) {
    await visitor.goto(path);
    await visitor.page.reload();
    await expect(visitor.page.getByRole("heading", { level: 1 })).toHaveText(heading);
  }
});

test("user text renders as text, never as HTML", async ({ people, createProject, api }) => {
  const [a, b] = await people("Ann", "Ben");
  const attack = "<img src=x onerror=alert(1)>";
  const titleAttack = "<script>alert(2)</script> Totally normal project";
  const project = await createProject(a!.user!, { title: titleAttack, description: `<b>not bold</b> ${attack}` });
  const dialogs: string[] = [];
  for (const p of [a!, b!])
    p.page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  await Promise.all([a!.goto(`/projects/${project.id}`), b!.goto(`/projects/${project.id}`)]);

  await a!.page.getByRole("textbox", { name: "Comment", exact: true }).fill(attack);
  await a!.page.getByRole("button", { name: "Post comment" }).click();
  // Ben gets it live, then again from a fresh load.
  for (const reload of [false, true]) {
    if (reload) await b!.page.reload();
    const comment = b!.page.getByRole("article", { name: `${a!.user!.name} commented` });
    await expect(comment.locator(".comment-body")).toHaveText(attack);
    await expect(b!.page.getByRole("heading", { level: 1 })).toHaveText(titleAttack);
    await expect(b!.page.getByRole("region", { name: "Description" })).toContainText(`<b>not bold</b> ${attack}`);
    await expect(b!.page.locator('img[src="x"], main script, main b')).toHaveCount(0);
  }
  await api(b!.user).patch("/users/me", { name: `${attack} Ben` });
  await a!.goto(`/users/${b!.user!.id}`);
  await expect(a!.page.getByRole("heading", { level: 1 })).toHaveText(`${attack} Ben`);
  await expect(a!.page.locator('img[src="x"]')).toHaveCount(0);
  expect(dialogs, "no script ran").toEqual([]);
});
