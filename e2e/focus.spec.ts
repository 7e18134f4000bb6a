/**
 * Where keyboard focus goes after an action: never lost to <body>.
 */
import { expect, test } from "./fixtures";

test("after posting a comment or a reply, focus is on the new comment", async ({ people, createProject }) => {
  const [ann] = await people("Ann");
  const project = await createProject(ann!.user!, { title: "Focus target" });
  const page = ann!.page;
  await ann!.goto(`/projects/${project.id}`);

  const box = page.getByRole("textbox", { name: "Comment", exact: true });
  await box.fill("First!");
  await box.press("Tab");
  await page.keyboard.press("Enter");
  const posted = page.getByRole("article", { name: `${ann!.user!.name} commented` });
  await expect(posted).toHaveCount(1);
  await expect(posted).toBeFocused();
  await expect(box).toHaveValue("");

  await posted.getByRole("button", { name: "Reply" }).click();
  await page.getByRole("textbox", { name: /^Reply to/ }).fill("A reply");
  await page.getByRole("button", { name: "Post reply" }).click();
  const reply = page.locator("article.comment", { hasText: "A reply" });
  await expect(reply).toBeFocused();
  expect(await page.evaluate(() => document.activeElement === document.body)).toBe(false);
});

test("the intro dialog opens on its message field", async ({ people, createProject }) => {
  const [ann, ben] = await people("Ann", "Ben");
  const project = await createProject(ann!.user!, { title: "Intro focus" });
  await ben!.goto(`/projects/${project.id}`);
  await ben!.page.getByRole("button", { name: "Request intro" }).click();
  const dialog = ben!.page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("textbox", { name: "Message" })).toBeFocused();
});
