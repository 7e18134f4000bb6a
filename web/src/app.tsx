import type { PageRoute } from "@shared/page-routes";
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

const loaders: (() => Promise<unknown>)[] = [];

/** A page in a chunk of its own, fetched the first time it is shown (or when the tab is idle after loading). */
const page = <M,>(load: () => Promise<M>, pick: (m: M) => ComponentType) => {
  loaders.push(load);
  return lazy(async () => ({ default: pick(await load()) }));
};

/** Once the first page is up and the tab idle, fetch the other pages' code: later clicks, or going offline, find it here. */
function usePreloadPages() {
  useEffect(() => {
    const run = () => {
      for (const load of loaders) load().catch(() => {});
    };
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
