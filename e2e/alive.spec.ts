/**
 * Changes are noticed: a changed count or title highlights briefly, and feed
 * cards slide to their new rank (not under prefers-reduced-motion).
 */
import { expect, test } from "./fixtures";

for (const motion of ["no-preference", "reduce"] as const) {
  test(`a re-ranked feed highlights the change and ${motion === "reduce" ? "does not animate (reduced motion)" : "slides the cards"}`, async ({
    people,
    createProject,
    api,
  }) => {
    const [ann, ben] = await people("Ann", "Ben");
    await ann!.page.emulateMedia({ reducedMotion: motion });
    const tag = `flip${Date.now().toString(36)}`;
    const first = await createProject(ben!.user!, { title: `First ${tag}`, tags: [tag] });
    const second = await createProject(ben!.user!, { title: `Second ${tag}`, tags: [tag] });
    await api(ben!.user).post(`/projects/${first.id}/upvote`);
    await ann!.goto("/?sort=top");
    const cards = ann!.page.locator("article.project-card", { hasText: tag });
    await expect(cards.first()).toContainText(`First ${tag}`);

    // Which cards slide (the animation itself is over in 320 ms, before a check could see it).
    await ann!.page.evaluate(() => {
      const w = window as unknown as { flips: string[]; flashed: string[] };
      w.flips = [];
      w.flashed = [];
      // Which scores flash (1.2 s: on a loaded machine a later check could miss it).
      new MutationObserver((records) => {
        for (const r of records) {
          const el = r.target as HTMLElement;
          if (el.classList.contains("flash") && el.dataset.testid === "score")
            w.flashed.push(el.closest<HTMLElement>("[data-flip-id]")?.dataset.flipId ?? "");
        }
      }).observe(document.body, { attributes: true, attributeFilter: ["class"], subtree: true });
      const animate = Element.prototype.animate;
      Element.prototype.animate = function (this: Element, ...args: Parameters<Element["animate"]>) {
        w.flips.push(this.getAttribute("data-flip-id") ?? "");
        return animate.apply(this, args);
      };
    });
    // Two votes for the second project put it above the first.
    await api(ann!.user).post(`/projects/${second.id}/upvote`);
    await api(ben!.user).post(`/projects/${second.id}/upvote`);
    await expect(cards.first()).toContainText(`Second ${tag}`);
    const moved = ann!.page.locator(`[data-flip-id="${second.id}"]`);
    await expect(moved.getByTestId("score")).toHaveText("2");
    await expect
      .poll(() => ann!.page.evaluate(() => (window as unknown as { flashed: string[] }).flashed))
      .toContain(second.id);
    const flips = await ann!.page.evaluate(() => (window as unknown as { flips: string[] }).flips);
    if (motion === "reduce") expect(flips).toEqual([]);
    else expect(flips).toEqual(expect.arrayContaining([first.id, second.id]));
  });
}

test("Newest counts the projects that arrived since the reader came, and Show brings them into view", async ({
  people,
  createProject,
}) => {
  const [ann, ben] = await people("Ann", "Ben");
  await ann!.goto("/?sort=newest");
  await expect(ann!.page.getByTestId("arrivals")).toHaveCount(0);
  const first = await createProject(ben!.user!, { title: `Arrival one ${Date.now()}` });
  await expect(ann!.page.getByTestId("arrivals")).toHaveText("1 new project since you arrived · Show");
  await createProject(ben!.user!, { title: `Arrival two ${Date.now()}` });
  await expect(ann!.page.getByTestId("arrivals")).toHaveText("2 new projects since you arrived · Show");
  await ann!.page.getByTestId("arrivals").click();
  await expect(ann!.page.getByTestId("arrivals")).toHaveCount(0);
  await expect(ann!.page.getByRole("article", { name: first.title })).toBeVisible();
  // Not on the other tabs: the count is about what is new, which only Newest orders by.
  await ann!.page.getByRole("link", { name: "Top" }).click();
  await createProject(ben!.user!, { title: `Arrival three ${Date.now()}` });
  await ann!.page.waitForTimeout(500);
  await expect(ann!.page.getByTestId("arrivals")).toHaveCount(0);
});

test("while reading, a re-ranking is held behind 'N projects moved · Show'; with the setting off it moves live", async ({
  people,
  createProject,
  api,
}) => {
  const [ann, ben] = await people("Ann", "Ben");
  const tag = `hold${Date.now().toString(36)}`;
  const first = await createProject(ben!.user!, { title: `First ${tag}` });
  const second = await createProject(ben!.user!, { title: `Second ${tag}` });
  await api(ben!.user).post(`/projects/${first.id}/upvote`);
  await ann!.goto("/?sort=top");
  const cards = ann!.page.locator("article.project-card", { hasText: tag });
  await expect(cards.first()).toContainText(`First ${tag}`);

  // Reading: the pointer is on the list.
  await cards.first().hover();
  await api(ann!.user).post(`/projects/${second.id}/upvote`);
  await api(ben!.user).post(`/projects/${second.id}/upvote`);
  await expect(ann!.page.locator(`[data-flip-id="${second.id}"]`).getByTestId("score")).toHaveText("2");
  await expect(ann!.page.getByTestId("moved")).toContainText("moved · Show");
  await expect(cards.first()).toContainText(`First ${tag}`);
  await ann!.page.getByTestId("moved").click();
  await expect(cards.first()).toContainText(`Second ${tag}`);
  await expect(ann!.page.getByTestId("moved")).toHaveCount(0);

  // The setting off: moves show at once, even while reading.
  await ann!.page.getByRole("checkbox", { name: /Keep the order while I read/ }).uncheck();
  await cards.first().hover();
  await api(ann!.user).request("DELETE", `/projects/${second.id}/vote`);
  await api(ben!.user).request("DELETE", `/projects/${second.id}/vote`);
  await expect(cards.first()).toContainText(`First ${tag}`);
  await expect(ann!.page.getByTestId("moved")).toHaveCount(0);
});
