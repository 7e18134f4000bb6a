import { SEARCH_MAX_LENGTH, TagSchema } from "@shared/contracts/projects";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { EmptyState, ErrorState, Skeleton } from "../../components/states";
import { useDocumentTitle } from "../../components/use-document-title";
import { ProjectCard } from "../projects/project-card";
import { FEED_PAGE_SIZE, feedQueryOptions } from "../projects/projects.queries";
import { searchHref } from "./header-search";
import { tagsQueryOptions } from "./search.queries";

/** Results that stay live: the list is a feed query, refetched on every change to any project. */
export function SearchPage() {
  const [params] = useSearchParams();
  const q = (params.get("q") ?? "").slice(0, SEARCH_MAX_LENGTH);
  const parsedTag = TagSchema.safeParse(params.get("tag") ?? "");
  const tag = parsedTag.success ? parsedTag.data : null;
  const page = Math.max(1, Math.floor(Number(params.get("page") ?? 1)) || 1);
  const [text, setText] = useState(q);
  const navigate = useNavigate();
  useEffect(() => setText(q), [q]);
  const heading =
    q && tag ? `“${q}” in #${tag}` : q ? `Results for “${q}”` : tag ? `Projects tagged #${tag}` : "Search";
  useDocumentTitle(heading);

  const active = !!q.trim() || !!tag;
  const results = useQuery({
    ...feedQueryOptions({ page, pageSize: FEED_PAGE_SIZE, q: q.trim() || undefined, tag: tag ?? undefined }),
    enabled: active,
  });
  const tags = useQuery(tagsQueryOptions());
  const pages = results.data ? Math.max(1, Math.ceil(results.data.total / results.data.pageSize)) : 1;

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>{heading}</h1>
          {results.data && active ? (
            <p className="muted">
              <span data-testid="result-count">{results.data.total}</span>{" "}
              {results.data.total === 1 ? "project" : "projects"}
            </p>
          ) : null}
        </div>
      </div>
      <form
        className="card search-form"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(searchHref(text, tag));
        }}
      >
        <label htmlFor="search-q">Search projects</label>
        <input
          id="search-q"
          type="search"
          value={text}
          maxLength={SEARCH_MAX_LENGTH}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" className="btn btn-primary">
          Search
        </button>
        {tag ? (
          <Link to={searchHref(q)} className="btn btn-ghost">
            Remove tag #{tag}
          </Link>
        ) : null}
      </form>
      {tags.data?.length ? (
        <section aria-label="Popular tags">
          <ul className="tag-cloud">
            {tags.data.slice(0, 20).map((t) => (
              <li key={t.tag} className="tag">
                <Link to={searchHref(q, t.tag)} className="tag-link" aria-current={t.tag === tag ? "page" : undefined}>
                  #{t.tag} <span className="muted">{t.count}</span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {!active ? (
        <EmptyState title="Search by words or pick a tag">
          <p>Titles, descriptions and tags are searched; every word must match.</p>
        </EmptyState>
      ) : results.isPending ? (
        <Skeleton lines={4} height={112} />
      ) : results.isError && !results.data ? (
        <ErrorState error={results.error} onRetry={() => void results.refetch()} />
      ) : results.data.items.length === 0 ? (
        <EmptyState title="No projects match">
          <p>Try fewer or shorter words.</p>
        </EmptyState>
      ) : (
        <section aria-label="Search results" className="project-list">
          {results.data.items.map((p) => (
            <ProjectCard key={p.id} project={p} />
          ))}
        </section>
      )}
      {results.data && active && pages > 1 ? (
        <nav className="pagination" aria-label="Pages">
          {page > 1 ? (
            <Link className="btn" to={searchHref(q, tag, page - 1)} rel="prev">
              ← Previous
            </Link>
          ) : null}
          <span className="muted" aria-current="page">
            Page {page} of {pages}
          </span>
          {page < pages ? (
            <Link className="btn" to={searchHref(q, tag, page + 1)} rel="next">
              Next →
            </Link>
          ) : null}
        </nav>
      ) : null}
    </div>
  );
}
