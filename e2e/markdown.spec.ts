/**
 * Markdown in descriptions and comments: rendered (a safe subset), live for
 * the other person too, with scripts and non-http links left as text.
 */
import { expect, test } from "./fixtures";

test("descriptions and comments render Markdown, safely, for everyone", async ({ people, createProject }) => {
  const [ann, ben] = await people("Ann", "Ben");
  const project = await createProject(ann!.user!, {
    title: "Markdown project",
    description: "It is **fast** and [documented](https://example.com/docs).\n\n[bad](javascript:alert(1)) <b>raw</b>",
  });
  const dialogs: string[] = [];
  ben!.page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await ben!.goto(`/projects/${project.id}`);
  await ann!.goto(`/projects/${project.id}`);
  const description = ben!.page.getByRole("region", { name: "Description" });
  await expect(description.locator("strong")).toHaveText("fast");
  const link = description.getByRole("link", { name: "documented" });
  await expect(link).toHaveAttribute("href", "https://example.com/docs");
  await expect(link).toHaveAttribute("rel", "nofollow ugc noopener");
  await expect(description).toContainText("[bad](javascript:alert(1)) <b>raw</b>");
  await expect(description.locator('a[href^="javascript"], b')).toHaveCount(0);

  await ann!.page.getByRole("textbox", { name: "Comment", exact: true }).fill("_Lovely_ work, see https://example.org");
  await ann!.page.getByRole("button", { name: "Post comment" }).click();
  const comment = ben!.page.getByRole("article", { name: `${ann!.user!.name} commented` });
  await expect(comment.locator(".comment-body em")).toHaveText("Lovely");
  await expect(comment.getByRole("link", { name: "https://example.org" })).toHaveAttribute(
    "rel",
    "nofollow ugc noopener",
  );

  // The feed card shows the words without the syntax.
  await ben!.goto("/?sort=newest");
  await expect(
    ben!.page.getByRole("article", { name: "Markdown project" }).locator(".project-card-desc"),
  ).toContainText("It is fast and documented.");
  expect(dialogs).toEqual([]);
});
