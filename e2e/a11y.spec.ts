/**
 * Every page of the shared route table, at desktop (1280 px) and phone (375 px)
 * widths, signed in and out: axe-core finds no serious or critical violation,
 * nothing logs a console error, and nothing makes the page wider than the
 * screen (user text includes a 120-character title without spaces).
 */
import AxeBuilder from "@axe-core/playwright";
import { PAGE_ROUTES, type PageRoute } from "../shared/src/page-routes";
import { expect, type Person, type TestUser, test } from "./fixtures";

const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 375, height: 740 },
] as const;

const LONG_TITLE = "Supercalifragilistic".repeat(6);

/** Every page, with real ids: patterns come from shared/src/page-routes.ts, so a new page is covered by itself. */
function pathsFor(ids: { project: string; owner: string; other: string }): string[] {
  const example: Record<PageRoute, string> = Object.fromEntries(
    PAGE_ROUTES.map((p) => [
      p,
      p
        .replace(":id/edit", `${ids.project}/edit`)
        .replace("projects/:id", `projects/${ids.project}`)
        .replace("users/:id", `users/${ids.owner}`)
        .replace(":userId", ids.other),
    ]),
  ) as Record<PageRoute, string>;
  return [...Object.values(example), "/?sort=newest", "/no/such/page"];
}

async function settle(person: Person, path: string) {
  await person.goto(path);
  // No skeleton left: what axe checks is the page people read, not its placeholder.
  await expect(person.page.locator('[aria-busy="true"]')).toHaveCount(0);
}

function watchConsole(person: Person) {
  const errors: string[] = [];
  person.page.on("console", (m) => {
    if (m.type() === "error") errors.push(`${person.page.url()}: ${m.text()}`);
  });
  person.page.on("pageerror", (e) => errors.push(`${person.page.url()}: ${e.message}`));
  return errors;
}

for (const viewport of VIEWPORTS) {
  for (const signedIn of [false, true]) {
    test(`every page at ${viewport.width} px ${signedIn ? "signed in" : "signed out"}: no serious axe violation, no console error, no sideways scroll`, async ({
      createUser,
      createProject,
      api,
      openBrowser,
    }) => {
      test.setTimeout(180_000);
      const owner = await createUser({ name: "Axe Owner" });
      const other = await createUser({ name: "Axe Other" });
      const project = await createProject(owner, {
        title: LONG_TITLE,
        description: `A project whose title is one ${LONG_TITLE.length}-character word.`,
        url: "https://example.com",
        tags: ["a11y"],
      });
      await api(other).post(`/projects/${project.id}/comments`, { body: `Nice! ${LONG_TITLE}` });
      await api(other).post("/intros", { toUserId: owner.id, projectId: project.id, message: "Hello there" });
      // Enough messages that the thread scrolls on a phone.
      for (let i = 0; i < 14; i++)
        await api(i % 2 ? owner : other).post("/messages", {
          toUserId: i % 2 ? other.id : owner.id,
          body: `Message ${i} ${LONG_TITLE}`,
        });
      for (let i = 0; i < 11; i++) await createProject(other, { title: `Filler project ${i}` });

      const person = await openBrowser(signedIn ? (owner as TestUser) : null, {
        viewport: { width: viewport.width, height: viewport.height },
      });
      const errors = watchConsole(person);
      const found: string[] = [];
      for (const path of pathsFor({ project: project.id, owner: owner.id, other: other.id })) {
        const before = errors.length;
        await settle(person, path);
        const results = await new AxeBuilder({ page: person.page })
          .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice", "experimental"])
          .analyze();
        for (const v of results.violations) {
          if (v.impact !== "serious" && v.impact !== "critical") continue;
          found.push(`${path}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
        }
        const width = await person.page.evaluate(() => document.documentElement.scrollWidth);
        if (width > viewport.width) found.push(`${path}: the page is ${width} px wide`);
        // The unknown URL's document itself answers 404 (that is the point); Chromium logs it.
        if (path === "/no/such/page")
          errors.splice(
            before,
            errors.length - before,
            ...errors.slice(before).filter((e) => !/status of 404/.test(e)),
          );
      }
      expect(found, "serious or critical axe violations and overflow").toEqual([]);
      expect(errors, "console errors").toEqual([]);
    });
  }
}
