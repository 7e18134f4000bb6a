import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useEffect, useRef } from "react";
import { Link, NavLink, useLocation, useNavigate } from "react-router";
import { useLogout, useMe } from "../features/auth/auth.queries";
import { introsQueryOptions, pendingReceived } from "../features/intros/intros.queries";
import { conversationsQueryOptions, totalUnread } from "../features/messages/messages.queries";
import { unreadCountQueryOptions } from "../features/notifications/notifications.queries";
import { HeaderSearch } from "../features/search/header-search";
import { useRealTimeUpdates } from "../realtime/use-real-time-updates";
import { Avatar } from "./avatar";
import { ConnectionIndicator } from "./connection-indicator";
import { Toaster } from "./toaster";

function CountBadge({ count, label, testId }: { count: number; label: string; testId: string }) {
  // Always rendered (hidden at zero), so a count arriving does not shift the nav.
  return (
    <span className={`count-badge${count > 0 ? "" : " is-zero"}`} aria-hidden={count === 0}>
      <span data-testid={testId}>{count}</span>
      <span className="sr-only"> {label}</span>
    </span>
  );
}

function SignedInNav({ meId }: { meId: string }) {
  const conversations = useQuery(conversationsQueryOptions(meId));
  const intros = useQuery(introsQueryOptions(meId));
  const unreadNotifications = useQuery(unreadCountQueryOptions(meId));
  return (
    <>
      <NavLink to="/following" className="nav-link">
        Following
      </NavLink>
      <NavLink to="/intros" className="nav-link">
        Intros
        <CountBadge count={pendingReceived(intros.data)} label="pending" testId="pending-intros-count" />
      </NavLink>
      <NavLink to="/messages" className="nav-link">
        Messages
        <CountBadge count={totalUnread(conversations.data)} label="unread" testId="unread-count" />
      </NavLink>
      <NavLink to="/notifications" className="nav-link" title="Notifications">
        {/* An SVG, not an emoji: machines without an emoji font show a box. */}
        <svg className="bell-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          />
        </svg>
        Notifications
        <CountBadge count={unreadNotifications.data ?? 0} label="unread notifications" testId="notification-count" />
      </NavLink>
    </>
  );
}

/**
 * A new page starts at its top, and keyboard and screen-reader users start at
 * its content (the declarative router does neither by itself).
 */
function useNewPageFocus() {
  const { pathname, hash } = useLocation();
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on a new pathname (not on ?sort= tab switches)
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const target = hash ? document.getElementById(hash.slice(1)) : null;
    if (target) target.scrollIntoView();
    else window.scrollTo(0, 0);
    document.getElementById("main")?.focus({ preventScroll: true });
  }, [pathname, hash]);
}

export function AppShell({ children }: { children: ReactNode }) {
  useNewPageFocus();
  const connection = useRealTimeUpdates();
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  const user = me.data ?? null;

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="header">
        <div className="header-inner">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              Z
            </span>
            <span className="brand-name">Zerostale</span>
          </Link>
          <nav className="nav" aria-label="Main">
            <NavLink to="/" end className="nav-link">
              Feed
            </NavLink>
            <NavLink to="/leaderboard" className="nav-link">
              Leaderboard
            </NavLink>
            {user ? <SignedInNav meId={user.id} /> : null}
          </nav>
          <HeaderSearch />
          <div className="header-end">
            <ConnectionIndicator state={connection} />
            {me.isPending ? (
              <span className="account-placeholder" />
            ) : user ? (
              <div className="account">
                <Link to="/projects/new" className="btn btn-primary btn-sm new-project">
                  New project
                </Link>
                <Link to={`/users/${user.id}`} className="account-link" title="Your profile">
                  <Avatar user={user} size={32} />
                  <span className="sr-only">Your profile ({user.name})</span>
                </Link>
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  disabled={logout.isPending}
                  onClick={() => logout.mutate(undefined, { onSettled: () => navigate("/") })}
                >
                  Log out
                </button>
              </div>
            ) : (
              <div className="account">
                <Link to="/login" className="btn btn-ghost btn-sm">
                  Log in
                </Link>
                <Link to="/signup" className="btn btn-primary btn-sm">
                  Sign up
                </Link>
              </div>
            )}
          </div>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="footer">
        <p>Zerostale · every change, everywhere, as it happens.</p>
      </footer>
      <Toaster />
    </div>
  );
}
