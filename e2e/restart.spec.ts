/**
 * A server restart with a page open: the page notices it lost the server,
 * data changes meanwhile (straight in the database, as an admin script
 * would), and when the server is back the page shows the new data by itself,
 * without a reload.
 */
import { expect, test } from "./fixtures";

test("a page recovers by itself after its server restarts and shows what changed during the outage", async ({
  startOwnInstance,
  openBrowser,
  createUser,
  createProject,
  sql,
}) => {
  // An instance of this test's own: the other specs keep using the shared two.
  const server = await startOwnInstance();
  const owner = await createUser({ name: "Restart Owner" });
  const viewer = await createUser({ name: "Restart Viewer" });
  const project = await createProject(owner, { title: "Before the restart", description: "Old description" });
  const { page, goto } = await openBrowser(viewer, { url: server.url });
  await goto(`/projects/${project.id}`);
  const title = page.getByRole("heading", { level: 1 });
  const status = page.getByTestId("connection-status");
  await expect(title).toHaveText("Before the restart");
  await page.evaluate(() => {
    (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
  });

  // The exit code has a test of its own below.
  await server.stop();
  await expect(status).not.toHaveText("Live");
  await expect(status).toHaveText(/^(Reconnecting…|Offline since \d{1,2}:\d{2}.*)$/);

  await sql.query("UPDATE projects SET title = $1, description = $2, updated_at = now() WHERE id = $3", [
    "Renamed while the server was down",
    "Written straight into the database",
    project.id,
  ]);
  await expect(title, "nothing to fetch from while the server is down").toHaveText("Before the restart");

  await server.start();
  const restartedAt = Date.now();
  await expect(title).toHaveText("Renamed while the server was down", { timeout: 30_000 });
  const recoveredMs = Date.now() - restartedAt;
  await expect(page.getByRole("region", { name: "Description" })).toContainText("Written straight into the database");
  await expect(status).toHaveText("Live");
  expect(
    await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    "the page was not reloaded",
  ).toBe(true);
  test
    .info()
    .annotations.push({ type: "recovery", description: `fresh ${recoveredMs} ms after the server was healthy` });
});

/*
 * The web client answers "io server disconnect" by connecting again at once; the
 * draining server must refuse that connection instead of waiting for it.
 */
test("SIGTERM with a page open drains and exits 0", async ({ startOwnInstance, openBrowser, createUser }) => {
  // Five stops and starts of a server of its own: about 56 s on two busy cores, past the default 60 s budget.
  test.setTimeout(180_000);
  const server = await startOwnInstance();
  const viewer = await openBrowser(await createUser({ name: "Drain Viewer" }), { url: server.url });
  await viewer.goto("/");
  // It was a race (about 7 times in 8): five restarts, stopping at the first unclean exit.
  const exits: string[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const startedAt = Date.now();
    const code = await server.stop();
    exits.push(`exit ${code} after ${Date.now() - startedAt} ms`);
    if (code !== 0) break;
    await server.start();
    await expect(viewer.page.getByTestId("connection-status")).toHaveText("Live", { timeout: 20_000 });
  }
  test.info().annotations.push({ type: "drain", description: exits.join("; ") });
  expect(
    exits.every((e) => e.startsWith("exit 0 ")),
    `SIGTERM drains and exits 0: ${exits.join("; ")}`,
  ).toBe(true);
});
