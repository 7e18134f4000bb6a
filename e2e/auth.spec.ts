/**
 * Signing up, out and in through the real forms (the other specs put a
 * session cookie in instead, to spend their time on what they test).
 */
import { randomUUID } from "node:crypto";
import { expect, PASSWORD, test } from "./fixtures";

test("sign up, log out and log in through the forms; a wrong password shows the error on the form", async ({
  openBrowser,
  deleteUserAfter,
}) => {
  const { page, goto } = await openBrowser(null, { instance: 1 });
  const email = `form-${randomUUID().slice(0, 6)}@e2e.test`;
  const name = `Form Filler ${email.slice(5, 11)}`;
  deleteUserAfter(email);

  await goto("/signup");
  const signup = page.getByRole("form", { name: "Sign up" });
  await signup.getByLabel("Name").fill(name);
  await signup.getByLabel("Email").fill(email);
  // Too short first: the error sits under the field it is about.
  await signup.getByLabel("Password").fill("short");
  await signup.getByRole("button", { name: "Sign up" }).click();
  await expect(signup.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
  await expect(signup.getByLabel("Password")).toHaveAccessibleDescription(/10/);
  await signup.getByLabel("Password").fill(PASSWORD);
  await signup.getByRole("button", { name: "Sign up" }).click();

  await expect(page).toHaveURL("/");
  await expect(page.getByRole("link", { name: `Your profile (${name})` })).toBeVisible();
  await expect(page.getByRole("link", { name: "Intros" })).toBeVisible();

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();
  await expect(page.getByRole("link", { name: `Your profile (${name})` })).toBeHidden();

  await page.getByRole("link", { name: "Log in" }).click();
  await expect(page).toHaveURL("/login");
  const login = page.getByRole("form", { name: "Log in" });
  await login.getByLabel("Email").fill(email);
  await login.getByLabel("Password").fill("not the password");
  await login.getByRole("button", { name: "Log in" }).click();
  await expect(login.getByRole("alert")).toHaveText("Email or password is incorrect");
  await expect(page).toHaveURL("/login");

  await login.getByLabel("Password").fill(PASSWORD);
  await login.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL("/");
  await expect(page.getByRole("link", { name: `Your profile (${name})` })).toBeVisible();
  await expect(page.getByTestId("connection-status")).toHaveText("Live");
});

test("logging out in one browser ends the same session in another, on the other instance", async ({
  createUser,
  openBrowser,
}) => {
  const user = await createUser({ name: "Two Browsers" });
  const a = await openBrowser(user, { instance: 0 });
  const b = await openBrowser(user, { instance: 1 });
  await a.goto("/");
  await b.goto("/");

  await a.page.getByRole("button", { name: "Log out" }).click();
  await expect(a.page.getByRole("link", { name: "Log in", exact: true })).toBeVisible();
  // B did nothing: the logout's session:ended reached its socket through the pipeline and Redis.
  await expect(b.page.getByText("You were signed out")).toBeVisible();
  await expect(b.page.getByRole("link", { name: "Log in", exact: true })).toBeVisible();
  await expect(b.page.getByRole("link", { name: `Your profile (${user.name})` })).toBeHidden();
});

test("a page that needs an account sends a visitor to log in and back", async ({ openBrowser, createUser }) => {
  const user = await createUser({ name: "Returning Visitor" });
  const { page } = await openBrowser(null);
  await page.goto("/intros");
  await expect(page).toHaveURL(`/login?next=${encodeURIComponent("/intros")}`);
  const login = page.getByRole("form", { name: "Log in" });
  await login.getByLabel("Email").fill(user.email);
  await login.getByLabel("Password").fill(user.password);
  await login.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL("/intros");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Intros");
});
