import { BADGE_LABELS } from "@shared/contracts/badge-kinds";
import type { BadgeSummary } from "@shared/contracts/projects";
import { Link } from "react-router";

/** A small medal, drawn rather than an emoji (emoji fonts are not everywhere). */
function Medal() {
  return (
    <svg className="award-icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
      <path d="M4 1h3l1 3.2L9 1h3l-2.4 5.1A5 5 0 1 1 6.4 6.1L4 1Z" fill="currentColor" opacity=".35" />
      <circle cx="8" cy="10.5" r="3.6" fill="currentColor" />
    </svg>
  );
}

export function BadgeList({ badges }: { badges: BadgeSummary[] }) {
  if (badges.length === 0) return null;
  return (
    <ul className="badge-list" aria-label="Badges">
      {badges.map((b) => (
        <li key={b.kind} className={`award award-${b.kind}`}>
          <Medal /> {BADGE_LABELS[b.kind]}
        </li>
      ))}
    </ul>
  );
}

export function FeaturedMark() {
  return <span className="pill pill-featured">Featured</span>;
}

export function TagList({ tags }: { tags: string[] }) {
  if (tags.length === 0) return null;
  return (
    <ul className="tag-list" aria-label="Tags">
      {tags.map((t) => (
        <li key={t} className="tag">
          <Link to={`/search?tag=${encodeURIComponent(t)}`} className="tag-link" title={`Projects tagged ${t}`}>
            #{t}
          </Link>
        </li>
      ))}
    </ul>
  );
}
