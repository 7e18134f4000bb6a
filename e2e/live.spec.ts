/**
 * The product's six live scenarios, each with several people in browsers of
 * their own at once, on both app instances. Every change is made by clicking
 * in one browser and must show up in the others without a reload; the time
 * from the click to the other DOM changing is measured inside the pages and
 * reported at the end of the run.
 */
import { expect, type Person, test } from "./fixtures";

// One after another in one worker: two scenarios at once on two cores would
// mostly measure each other (the other worker runs the remaining specs).
test.describe.configure({ mode: "default" });

const nameOf = (p: Person) => p.user!.name;

test("1 · A votes, B sees the new score without reload", async ({ people, createUser, createProject, latency }) => {
  const owner = await createUser({ name: "Vote owner" });
  const [a, b, c] = await people("Ann", "Ben", "Cat");
  const project = await createProject(owner);
  await Promise.all([a!.goto(`/projects/${project.id}`), b!.goto(`/projects/${project.id}`), c!.goto("/?sort=newest")]);
  const card = c!.page.getByRole("article", { name: project.title });
  await expect(card.getByTestId("score")).toHaveText("0");

  // Up, take it back, down, take it back… every press changes the score by one.
  const presses = ["Upvote", "Upvote", "Downvote", "Downvote"] as const;
  const expected = ["1", "0", "-1", "0"];
  for (let i = 0; i < 12; i++) {
    const button = a!.page.getByRole("button", { name: presses[i % 4]!, exact: true });
    const score = expected[i % 4]!;
    await latency.measure("1 vote", a!.page, () => button.click(), [
      {
        label: "B (project page, other instance) sees the score",
        page: b!.page,
        condition: { selector: '[data-testid="score"]', text: score },
      },
      {
        label: "C (feed) sees the score",
        page: c!.page,
        condition: {
          selector: '[data-testid="score"]',
          text: score,
          within: { selector: "article.project-card", hasText: project.title },
        },
      },
    ]);
    await expect(b!.page.getByTestId("score")).toHaveText(score);
    await expect(card.getByTestId("score")).toHaveText(score);
    await expect(a!.page.getByTestId("score")).toHaveText(score);
  }
});

test("2 · A comments, B sees the comment and C sees the comment count", async ({
  people,
  createUser,
  createProject,
  latency,
}) => {
  const owner = await createUser({ name: "Comment owner" });
  const [a, b, c] = await people("Ann", "Ben", "Cat");
  const project = await createProject(owner);
  await Promise.all([a!.goto(`/projects/${project.id}`), b!.goto(`/projects/${project.id}`), c!.goto("/?sort=newest")]);
  const card = c!.page.getByRole("article", { name: project.title });
  await expect(card.getByTestId("comment-count")).toHaveText("0");

  for (let i = 1; i <= 5; i++) {
    const body = `Comment number ${i}: shipping beats perfect.`;
    await a!.page.getByRole("textbox", { name: "Comment", exact: true }).fill(body);
    await latency.measure("2 comment", a!.page, () => a!.page.getByRole("button", { name: "Post comment" }).click(), [
      {
        label: "B (project page) sees the comment",
        page: b!.page,
        condition: { selector: ".comment-body", text: body },
      },
      {
        label: "C (feed) sees the comment count",
        page: c!.page,
        condition: {
          selector: '[data-testid="comment-count"]',
          text: String(i),
          within: { selector: "article.project-card", hasText: project.title },
        },
      },
    ]);
    await expect(
      b!.page.getByRole("article", { name: `${nameOf(a!)} commented` }).filter({ hasText: body }),
    ).toBeVisible();
    await expect(b!.page.getByTestId("comment-count")).toHaveText(String(i));
    await expect(card.getByTestId("comment-count")).toHaveText(String(i));
  }
});

test("3 · A requests an intro, B sees it arrive and accepts, A sees it accepted", async ({
  people,
  createProject,
  latency,
}) => {
  const [a, b] = await people("Ann", "Ben");
  const project = await createProject(b!.user!);
  await Promise.all([a!.goto(`/projects/${project.id}`), b!.goto("/")]);

  await a!.page.getByRole("button", { name: "Request intro" }).click();
  const dialog = a!.page.getByRole("dialog");
  await dialog
    .getByRole("textbox", { name: "Message" })
    .fill("Hi! I build dev tools too and would love to compare notes.");
  await latency.measure("3 intro", a!.page, () => dialog.getByRole("button", { name: "Send request" }).click(), [
    {
      label: "B sees the intro toast",
      page: b!.page,
      condition: { selector: ".toast-title", text: `${nameOf(a!)} asked you for an intro` },
    },
    {
      label: "B sees the pending count",
      page: b!.page,
      condition: { selector: '[data-testid="pending-intros-count"]', text: "1" },
    },
  ]);
  await expect(dialog).toBeHidden();
  await expect(b!.page.getByTestId("pending-intros-count")).toHaveText("1");

  // B follows the toast to the inbox (toasts leave after 7 s, so at once); A watches the sent intro.
  await b!.page.getByRole("link", { name: "View intros" }).click();
  const received = b!.page.getByRole("listitem", { name: `Intro from ${nameOf(a!)}` });
  await expect(received.getByTestId("intro-status")).toHaveText("Pending");
  await a!.goto("/intros");
  const sent = a!.page.getByRole("listitem", { name: `Intro to ${nameOf(b!)}` });
  await expect(sent.getByTestId("intro-status")).toHaveText("Pending");

  await latency.measure("3 intro", b!.page, () => received.getByRole("button", { name: "Accept" }).click(), [
    {
      label: "A sees Accepted",
      page: a!.page,
      condition: {
        selector: '[data-testid="intro-status"]',
        text: "Accepted",
        within: { selector: `li[aria-label="Intro to ${nameOf(b!)}"]`, hasText: "" },
      },
    },
    {
      label: "A sees the accepted toast",
      page: a!.page,
      condition: { selector: ".toast-title", text: `${nameOf(b!)} accepted your intro request` },
    },
  ]);
  await expect(sent.getByTestId("intro-status")).toHaveText("Accepted");
  await expect(received.getByTestId("intro-status")).toHaveText("Accepted");
  await expect(b!.page.getByTestId("pending-intros-count")).toHaveText("0");
});

test("4 · A messages B, B sees it, B opens the conversation, A sees Read", async ({ people, latency }) => {
  const [a, b] = await people("Ann", "Ben");
  await Promise.all([a!.goto(`/messages/${b!.user!.id}`), b!.goto("/messages")]);
  const conversation = b!.page.getByTestId("conversation").filter({ hasText: nameOf(a!) });

  for (let i = 1; i <= 3; i++) {
    const body = `Message ${i}: are you coming to the demo night?`;
    await a!.page.getByRole("textbox", { name: "Message" }).fill(body);
    await latency.measure(
      "4 message",
      a!.page,
      () => a!.page.getByRole("button", { name: "Send", exact: true }).click(),
      [
        {
          label: "B sees the unread count in the list",
          page: b!.page,
          condition: {
            selector: '[data-testid="conversation-unread"]',
            text: String(i),
            within: { selector: '[data-testid="conversation"]', hasText: nameOf(a!) },
          },
        },
        {
          label: "B sees the unread badge in the nav",
          page: b!.page,
          condition: { selector: '[data-testid="unread-count"]', text: String(i) },
        },
      ],
    );
    await expect(conversation.getByTestId("conversation-unread")).toHaveText(String(i));
    await expect(conversation).toContainText(body);
    await expect(a!.page.getByTestId("read-receipt")).toHaveText("Sent");
  }
  await expect(b!.page.locator(".toast-title", { hasText: `New message from ${nameOf(a!)}` }).first()).toBeVisible();

  await latency.measure("4 message", b!.page, () => conversation.click(), [
    { label: "A sees Read", page: a!.page, condition: { selector: '[data-testid="read-receipt"]', text: "Read" } },
  ]);
  await expect(a!.page.getByTestId("read-receipt")).toHaveText("Read");
  await expect(b!.page).toHaveURL(`/messages/${a!.user!.id}`);
  await expect(b!.page.getByRole("list", { name: "Conversation" })).toContainText("Message 3: are you coming");
  await expect(b!.page.getByTestId("unread-count")).toHaveText("0");
});

test("5 · A changes the profile name, B on the profile and C on the leaderboard see it", async ({
  people,
  api,
  createProject,
  latency,
}) => {
  const [a, b, c] = await people("Ann", "Ben", "Cat");
  // Three points put Ann among the top makers (other specs running meanwhile stay below that).
  const project = await createProject(a!.user!);
  await Promise.all([a, b, c].map((p) => api(p!.user).post(`/projects/${project.id}/upvote`)));
  await Promise.all([a!.goto(`/users/${a!.user!.id}`), b!.goto(`/users/${a!.user!.id}`), c!.goto("/leaderboard")]);
  const makers = c!.page.getByRole("region", { name: "Top makers" });
  await expect(makers.getByRole("link", { name: nameOf(a!), exact: true })).toBeVisible();

  for (let i = 1; i <= 3; i++) {
    const name = `Ann Renamed ${i} ${nameOf(a!).split(" ").at(-1)}`;
    await a!.page.getByRole("button", { name: "Edit profile" }).click();
    await a!.page.getByRole("textbox", { name: "Name" }).fill(name);
    await latency.measure("5 profile", a!.page, () => a!.page.getByRole("button", { name: "Save" }).click(), [
      { label: "B (profile) sees the name", page: b!.page, condition: { selector: "#profile-name", text: name } },
      {
        label: "C (leaderboard) sees the name",
        page: c!.page,
        condition: { selector: '[data-testid="leaderboard-maker"] a.board-title', text: name },
      },
    ]);
    await expect(b!.page.getByRole("heading", { level: 1 })).toHaveText(name);
    await expect(makers.getByRole("link", { name, exact: true })).toBeVisible();
    await expect(a!.page.getByRole("button", { name: "Edit profile" })).toBeVisible();
  }
});

test("6 · the admin awards a badge: the owner is told, every viewer sees the badge and the leaderboard", async ({
  people,
  api,
  createProject,
  latency,
}) => {
  const [admin, owner, viewer, board] = await people({ name: "Admin", admin: true }, "Olga", "Vic", "Bea");
  const project = await createProject(owner!.user!, { title: `Badge-worthy ${nameOf(owner!).split(" ").at(-1)}` });
  await Promise.all([owner, viewer, board].map((p) => api(p!.user).post(`/projects/${project.id}/upvote`)));
  await Promise.all([
    admin!.goto(`/projects/${project.id}`),
    owner!.goto("/"),
    viewer!.goto(`/projects/${project.id}`),
    board!.goto("/leaderboard"),
  ]);
  const boardRow = board!.page.getByTestId("leaderboard-project").filter({ hasText: project.title });
  const makerRow = board!.page.getByTestId("leaderboard-maker").filter({ hasText: nameOf(owner!) });
  await expect(boardRow).toBeVisible();
  await expect(makerRow).toContainText("0 badges");

  const awards = ["Winner", "Runner-up", "Staff pick"];
  for (const [i, label] of awards.entries()) {
    const n = i + 1;
    await admin!.page.getByRole("combobox", { name: "Badge" }).selectOption({ label });
    await latency.measure(
      "6 badge",
      admin!.page,
      () => admin!.page.getByRole("button", { name: "Award badge" }).click(),
      [
        {
          label: "owner (feed) gets the toast",
          page: owner!.page,
          condition: { selector: ".toast-title", text: `“${project.title}” won the ${label} badge` },
        },
        {
          label: "viewer (project page) sees the badge",
          page: viewer!.page,
          condition: { selector: ".project-head .badge-list li", text: label },
        },
        {
          label: "leaderboard shows the badge",
          page: board!.page,
          condition: {
            selector: ".badge-list li",
            text: label,
            within: { selector: '[data-testid="leaderboard-project"]', hasText: project.title },
          },
        },
        {
          label: "leaderboard counts the maker's badges",
          page: board!.page,
          condition: {
            selector: ".muted.small",
            text: `${n} ${n === 1 ? "badge" : "badges"}`,
            match: "contains",
            within: { selector: '[data-testid="leaderboard-maker"]', hasText: nameOf(owner!) },
          },
        },
      ],
    );
    await expect(viewer!.page.getByRole("list", { name: "Badges" }).getByText(label, { exact: true })).toBeVisible();
    await expect(boardRow.getByRole("list", { name: "Badges" }).getByText(label, { exact: true })).toBeVisible();
    await expect(makerRow).toContainText(`${n} ${n === 1 ? "badge" : "badges"}`);
  }
});
