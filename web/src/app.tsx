import { matchPageRoute, type PageRoute } from "@shared/page-routes";
import { type ComponentType, lazy, Suspense, useEffect } from "react";
import { Link, Route, Routes, useLocation } from "react-router";
import { AppShell } from "./components/app-shell";
import { PageErrorBoundary } from "./components/page-error-boundary";
import { EmptyState, Skeleton } from "./components/states";
import { useDocumentTitle } from "./components/use-document-title";
import { FeedPage, FollowingPage } from "./features/projects/feed-page";
import { dropBoot } from "./lib/boot";

export function NotFoundPage() {
  useDocumentTitle("Not found");
  return (
    <EmptyState title="Page not found" heading>
      <Link to="/">Back to the feed</Link>
    </EmptyState>
  );
}

type LazyPage = ComponentType & { load?: () => Promise<unknown> };

/**
 * A page in a chunk of its own, fetched the first time it is shown (or when the
 * tab is idle after loading). Once its code is in, it renders directly rather
 * than through React.lazy, whose first render always suspends: main.tsx loads
 * the page a deep link shows before the first render (its chunk comes with the
 * entry, preloaded by the HTML), so that render is the page, not a skeleton
 * that the page then replaces (and pushes everything below it down).
 */
const page = <M,>(load: () => Promise<M>, pick: (m: M) => ComponentType): LazyPage => {
  let Loaded: ComponentType | null = null;
  const loadAndKeep = () =>
    load().then((m) => {
      Loaded = pick(m);
      return m;
    });
  const Lazy = lazy(async () => ({ default: pick(await loadAndKeep()) }));
  // biome-ignore lint/correctness/noComponentHookFactories: made once per page at module load (PAGES below), never during a render
  const Page: LazyPage = () => (Loaded ? <Loaded /> : <Lazy />);
  Page.load = loadAndKeep;
  return Page;
};

/**
 * The other pages' code, fetched into the module map without running it
 * (modulepreload): later clicks, or going offline, find it there, and running
 * it waits until a page needs it. Running it all at idle (import()) cost ~100 ms
 * of main thread a second after load, most of it building zod schemas for forms
 * nobody had opened. The list is the build's page-preloads.json (what the
 * server also uses for deep links); the dev server has none, so there nothing
 * is fetched ahead.
 */
async function prefetchPages() {
  const res = await fetch(PAGE_PRELOADS_URL);
  if (!res.ok) return;
  const table = (await res.json()) as Record<string, string[]>;
  const have = new Set(
    [...document.querySelectorAll('link[rel="modulepreload"], script[type="module"]')].map(
      (el) => new URL(el.getAttribute("href") ?? el.getAttribute("src") ?? "", location.href).pathname,
    ),
  );
  const wanted = [...new Set(Object.values(table).flat())].filter((href) => !have.has(href));
  // A few per idle period: each link starts a fetch, and twenty at once made a long task on a slow phone.
  const next = (deadline?: IdleDeadline) => {
    do {
      const href = wanted.shift();
      if (href === undefined) return;
      const link = document.createElement("link");
      link.rel = "modulepreload";
      link.crossOrigin = "";
      link.href = href;
      document.head.append(link);
    } while (deadline && deadline.timeRemaining() > 5);
    if ("requestIdleCallback" in window) requestIdleCallback(next, { timeout: 2000 });
    else setTimeout(next, 50);
  };
  next();
}
const PAGE_PRELOADS_URL = "/page-preloads.json";

/** Once the first page is up and the tab idle, fetch the other pages' code (above). */
function usePreloadPages() {
  useEffect(() => {
    const run = () => void prefetchPages().catch(() => {});
    const later = () => {
      // After the first page has settled (not in the way of its first interactions).
      setTimeout(() => {
        if ("requestIdleCallback" in window) requestIdleCallback(run, { timeout: 5000 });
        else run();
      }, 1500);
    };
    if (document.readyState === "complete") later();
    else window.addEventListener("load", later, { once: true });
  }, []);
}

/**
 * Every page of shared/src/page-routes.ts (the server answers 404 for any
 * other path). The feed is the first page most people see: it stays in the
 * entry chunk; every other page is split off (ADR 016).
 */
export const PAGES: { [P in PageRoute]?: ComponentType } = {
  "/": FeedPage,
  "/projects/new": page(
    () => import("./features/projects/project-form-page"),
    (m) => m.NewProjectPage,
  ),
  "/projects/:id": page(
    () => import("./features/projects/project-page"),
    (m) => m.ProjectPage,
  ),
  "/projects/:id/edit": page(
    () => import("./features/projects/project-form-page"),
    (m) => m.EditProjectPage,
  ),
  "/leaderboard": page(
    () => import("./features/leaderboard/leaderboard-page"),
    (m) => m.LeaderboardPage,
  ),
  "/users/:id": page(
    () => import("./features/users/profile-page"),
    (m) => m.ProfilePage,
  ),
  "/intros": page(
    () => import("./features/intros/intros-page"),
    (m) => m.IntrosPage,
  ),
  "/messages": page(
    () => import("./features/messages/conversations-page"),
    (m) => m.ConversationsPage,
  ),
  "/messages/:userId": page(
    () => import("./features/messages/conversation-page"),
    (m) => m.ConversationPage,
  ),
  "/login": page(
    () => import("./features/auth/login-page"),
    (m) => m.LoginPage,
  ),
  "/signup": page(
    () => import("./features/auth/login-page"),
    (m) => m.SignupPage,
  ),
  "/search": page(
    () => import("./features/search/search-page"),
    (m) => m.SearchPage,
  ),
  // The feed's other tab: in the entry chunk with it.
  "/following": FollowingPage,
  "/notifications": page(
    () => import("./features/notifications/notifications-page"),
    (m) => m.NotificationsPage,
  ),
};

/** Loads the code of the page at `pathname` (nothing for the feed, which is in the entry); never fails. */
export async function loadPageAt(pathname: string): Promise<void> {
  const route = matchPageRoute(pathname);
  const Page = route ? (PAGES[route] as LazyPage | undefined) : undefined;
  await Page?.load?.().catch(() => {});
}

export function App() {
  usePreloadPages();
  const { pathname, key } = useLocation();
  // The data inlined into the page is for the page it was sent with, not for where the reader goes next.
  useEffect(() => {
    if (key !== "default") dropBoot();
  }, [key]);
  return (
    <AppShell>
      <PageErrorBoundary key={pathname}>
        <Suspense fallback={<Skeleton lines={3} height={112} />}>
          <Routes>
            {Object.entries(PAGES).map(([path, Page]) => (
              <Route key={path} path={path} element={<Page />} />
            ))}
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Suspense>
      </PageErrorBoundary>
    </AppShell>
  );
}
