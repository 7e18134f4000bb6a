import type { FeedSort, ProjectSummary } from "@shared/contracts/projects";
import { feedPageOf } from "@shared/first-reads";
import { useQuery } from "@tanstack/react-query";
import { type RefObject, useEffect, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { RequireAuth } from "../../components/require-auth";
import { EmptyState, ErrorState, Skeleton } from "../../components/states";
import { useDocumentTitle } from "../../components/use-document-title";
import { useFlip } from "../../components/use-flash";
import { useMe } from "../auth/auth.queries";
import { ProjectCard } from "./project-card";
import { FEED_PAGE_SIZE, feedQueryOptions } from "./projects.queries";

const TABS: { sort: FeedSort; label: string; hint: string }[] = [
  { sort: "trending", label: "Trending", hint: "Rising right now" },
  { sort: "newest", label: "Newest", hint: "Just shipped" },
  { sort: "top", label: "Top", hint: "All-time best" },
];

function feedHref(sort: FeedSort, page: number, following = false) {
  const params = new URLSearchParams();
  if (sort !== (following ? "newest" : "trending")) params.set("sort", sort);
  if (page > 1) params.set("page", String(page));
  const q = params.toString();
  const base = following ? "/following" : "/";
  return q ? `${base}?${q}` : base;
}

/**
 * On Newest, how many projects arrived since the reader came (counted from the
 * feed's total, so it holds on any page); "Show" brings them to the top of page 1.
 */
function useArrivals(sort: FeedSort, total: number | undefined) {
  const [since, setSince] = useState<number | null>(null);
  useEffect(() => {
    if (sort !== "newest") setSince(null);
    else if (total !== undefined && since === null) setSince(total);
  }, [sort, total, since]);
  const count = sort === "newest" && since !== null && total !== undefined ? Math.max(0, total - since) : 0;
  return { count, seen: () => setSince(total ?? null) };
}

const HOLD_KEY = "zerostale:holdReorder";
const readHold = () => {
  try {
    return globalThis.localStorage?.getItem(HOLD_KEY) !== "off";
  } catch {
    return true;
  }
};

/** The user setting: hold a re-ranking while reading (default on), or move cards live. */
function useHoldSetting() {
  const [hold, setHold] = useState(readHold);
  return {
    hold,
    setHold: (on: boolean) => {
      setHold(on);
      try {
        localStorage.setItem(HOLD_KEY, on ? "on" : "off");
      } catch {}
    },
  };
}

const sameMembers = (a: string[], b: string[]) => a.length === b.length && a.every((id) => b.includes(id));

/**
 * While the reader is reading the list (pointer or focus in it, or scrolled
 * into it), a new ranking of the same projects is held: counts update in place,
 * cards stay where the reader's eyes are, and "N projects moved · Show" offers
 * the new order. A project arriving or leaving is shown at once (holding it
 * would show a list that does not exist).
 */
function useHeldOrder(items: ProjectSummary[] | undefined, hold: boolean, list: RefObject<HTMLElement | null>) {
  const ids = items?.map((i) => i.id) ?? [];
  const key = ids.join();
  const shown = useRef<string[]>(ids);
  const lastKey = useRef(key);
  const [, rerender] = useState(0);
  if (key !== lastKey.current) {
    lastKey.current = key;
    const el = list.current;
    const reading =
      !!el && (el.matches(":hover, :focus-within") || (el.getBoundingClientRect().top < 0 && window.scrollY > 0));
    if (!(hold && reading && sameMembers(shown.current, ids))) shown.current = ids;
  }
  if (!sameMembers(shown.current, ids)) shown.current = ids;
  const order = shown.current;
  const moved = order.filter((id, i) => ids[i] !== id).length;
  const byId = new Map(items?.map((i) => [i.id, i]));
  return {
    items: order.map((id) => byId.get(id)!).filter(Boolean),
    moved,
    show: () => {
      shown.current = ids;
      rerender((n) => n + 1);
    },
  };
}

/** The Following tab: only makers the viewer follows, newest first; a followed maker's new project appears live. */
export function FollowingPage() {
  useDocumentTitle("Following");
  return <RequireAuth>{() => <FeedPage following />}</RequireAuth>;
}

export function FeedPage({ following = false }: { following?: boolean }) {
  const [params] = useSearchParams();
  // As the server reads the URL when it inlines the first page's data (shared/src/first-reads.ts).
  const { sort, page } = feedPageOf(params, following);
  useDocumentTitle(following ? "Following" : null);

  const me = useMe();
  const feed = useQuery(feedQueryOptions({ sort, page, pageSize: FEED_PAGE_SIZE, following }));
  const pages = feed.data ? Math.max(1, Math.ceil(feed.data.total / feed.data.pageSize)) : 1;
  const listRef = useRef<HTMLElement>(null);
  const arrivals = useArrivals(sort, feed.data?.total);
  const { hold, setHold } = useHoldSetting();
  const held = useHeldOrder(feed.data?.items, hold, listRef);
  const navigate = useNavigate();
  useFlip(listRef, held.items.map((p) => p.id).join());

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>{following ? "From makers you follow" : "What people are building"}</h1>
          <p className="muted">
            {following
              ? "New projects from the people you follow appear here as they post them."
              : "Projects from the community, ranked live as votes and comments come in."}
          </p>
        </div>
        {me.data ? (
          <Link to="/projects/new" className="btn btn-primary">
            Share a project
          </Link>
        ) : null}
      </div>

      <nav className="tabs" aria-label="Sort projects">
        {TABS.map((t) => (
          <Link
            key={t.sort}
            to={feedHref(t.sort, 1, following)}
            className="tab"
            aria-current={t.sort === sort ? "page" : undefined}
            title={t.hint}
          >
            {t.label}
          </Link>
        ))}
        {me.data || following ? (
          <Link
            to={following ? "/" : "/following"}
            className="tab"
            title={following ? "Everyone's projects" : "Only makers you follow"}
          >
            {following ? "Everyone" : "Following"}
          </Link>
        ) : null}
        {feed.data ? (
          <span className="tabs-count muted">
            {feed.data.total} {feed.data.total === 1 ? "project" : "projects"}
          </span>
        ) : null}
      </nav>

      {/* Always in the DOM (polite live region), so the count is announced when it appears. */}
      <div className="arrivals" role="status">
        {held.moved > 0 ? (
          <button type="button" className="pill-button" data-testid="moved" onClick={held.show}>
            {held.moved} {held.moved === 1 ? "project" : "projects"} moved · Show
          </button>
        ) : null}
        {arrivals.count > 0 ? (
          <button
            type="button"
            className="pill-button"
            data-testid="arrivals"
            onClick={() => {
              arrivals.seen();
              if (page > 1) navigate(feedHref("newest", 1, following));
              listRef.current?.scrollIntoView({ behavior: "smooth", block: "start" });
            }}
          >
            {arrivals.count} new {arrivals.count === 1 ? "project" : "projects"} since you arrived · Show
          </button>
        ) : null}
      </div>

      {feed.isPending ? (
        <Skeleton lines={5} height={112} />
      ) : feed.isError && !feed.data ? (
        <ErrorState error={feed.error} onRetry={() => void feed.refetch()} />
      ) : feed.data.items.length === 0 ? (
        <EmptyState
          title={
            page > 1 ? "Nothing on this page" : following ? "Nothing from makers you follow yet" : "No projects yet"
          }
        >
          {page > 1 ? (
            <Link to={feedHref(sort, 1, following)}>Back to the first page</Link>
          ) : following ? (
            <p>
              Follow makers from their profile or project pages; their new projects land here.{" "}
              <Link to="/">Browse the feed</Link>.
            </p>
          ) : (
            <p>
              Be the first: <Link to="/projects/new">share what you are building</Link>.
            </p>
          )}
        </EmptyState>
      ) : (
        <section
          ref={listRef}
          aria-label="Projects"
          className={`project-list${feed.isPlaceholderData ? " is-updating" : ""}`}
        >
          {held.items.map((p, i) => (
            <ProjectCard
              key={p.id}
              project={p}
              rank={sort === "trending" ? undefined : (page - 1) * FEED_PAGE_SIZE + i + 1}
            />
          ))}
        </section>
      )}

      <label className="hold-setting muted small">
        <input type="checkbox" checked={hold} onChange={(e) => setHold(e.target.checked)} /> Keep the order while I read
        (show moves when I ask)
      </label>

      {feed.data && pages > 1 ? (
        <nav className="pagination" aria-label="Pages">
          {page > 1 ? (
            <Link className="btn" to={feedHref(sort, page - 1, following)} rel="prev">
              ← Previous
            </Link>
          ) : (
            <span className="btn is-disabled" aria-hidden="true">
              ← Previous
            </span>
          )}
          <span className="muted" aria-current="page">
            Page {page} of {pages}
          </span>
          {page < pages ? (
            <Link className="btn" to={feedHref(sort, page + 1, following)} rel="next">
              Next →
            </Link>
          ) : (
            <span className="btn is-disabled" aria-hidden="true">
              Next →
            </span>
          )}
        </nav>
      ) : null}
    </div>
  );
}
