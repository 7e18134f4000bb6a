import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LoginPage, SignupPage } from "./login-page";

type Handler = (init: RequestInit | undefined) => { status: number; body?: unknown };

function mockApi(routes: Record<string, Handler>) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const key = `${init?.method ?? "GET"} ${String(input)}`;
    const handler = routes[key];
    if (!handler) throw new Error(`unexpected ${key}`);
    const { status, body } = handler(init);
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

function renderAt(path: string) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="/signup" element={<SignupPage />} />
          <Route path="/" element={<p>Home page</p>} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const signedOut = {
  "GET /api/auth/session": () => ({ status: 200, body: { user: null } }),
};

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** The error text a field announces (its aria-describedby). */
function errorOf(field: HTMLElement) {
  const ids = field.getAttribute("aria-describedby")?.split(" ") ?? [];
  return ids.map((id) => document.getElementById(id)?.textContent ?? "").join(" ");
}

describe("forms show errors next to the field that caused them", () => {
  it("checks input with the shared schema before sending anything", async () => {
    const fetchMock = mockApi(signedOut);
    renderAt("/signup");
    await userEvent.type(screen.getByLabelText("Email"), "not-an-email");
    await userEvent.type(screen.getByLabelText("Password"), "short");
    await userEvent.click(screen.getByRole("button", { name: "Sign up" }));

    expect(screen.getByLabelText("Name").getAttribute("aria-invalid")).toBe("true");
    expect(errorOf(screen.getByLabelText("Name"))).toContain("Must not be empty");
    expect(errorOf(screen.getByLabelText("Email"))).toContain("Must be an email address");
    expect(errorOf(screen.getByLabelText("Password"))).toContain("Must be at least 10 characters");
    expect(fetchMock.mock.calls.filter(([, init]) => init?.method === "POST")).toHaveLength(0);
  });

  it("maps the API's details[].path onto the field", async () => {
    mockApi({
      ...signedOut,
      "POST /api/auth/signup": () => ({
        status: 400,
        body: {
          error: {
            code: "VALIDATION_ERROR",
            message: "Invalid name: must be at most 80 characters",
            details: [{ path: "name", message: "must be at most 80 characters" }],
          },
        },
      }),
    });
    renderAt("/signup");
    await userEvent.type(screen.getByLabelText("Name"), "Ann");
    await userEvent.type(screen.getByLabelText("Email"), "ann@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "long enough");
    await userEvent.click(screen.getByRole("button", { name: "Sign up" }));

    expect(await screen.findByText("Must be at most 80 characters")).toBeTruthy();
    expect(errorOf(screen.getByLabelText("Name"))).toContain("Must be at most 80 characters");
    expect(screen.getByRole("alert").textContent).toBe("Please fix the fields marked below.");
  });

  it("puts a taken email on the Email field", async () => {
    mockApi({
      ...signedOut,
      "POST /api/auth/signup": () => ({
        status: 409,
        body: { error: { code: "EMAIL_TAKEN", message: "An account with this email already exists" } },
      }),
    });
    renderAt("/signup");
    await userEvent.type(screen.getByLabelText("Name"), "Ann");
    await userEvent.type(screen.getByLabelText("Email"), "ann@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "long enough");
    await userEvent.click(screen.getByRole("button", { name: "Sign up" }));
    await screen.findAllByText("An account with this email already exists");
    expect(errorOf(screen.getByLabelText("Email"))).toContain("An account with this email already exists");
  });

  it("shows a wrong password as a form error, and goes on after a good one", async () => {
    let attempts = 0;
    mockApi({
      ...signedOut,
      "POST /api/auth/login": () =>
        ++attempts === 1
          ? { status: 401, body: { error: { code: "INVALID_CREDENTIALS", message: "Email or password is incorrect" } } }
          : {
              status: 200,
              body: {
                token: "t",
                user: { id: "u1", email: "ann@example.com", name: "Ann", bio: "", avatarUrl: null, role: "user" },
              },
            },
    });
    renderAt("/login");
    await userEvent.type(screen.getByLabelText("Email"), "ann@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Email or password is incorrect");

    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByText("Home page")).toBeTruthy();
  });
});
