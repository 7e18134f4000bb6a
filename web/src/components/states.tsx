import type { ReactNode } from "react";
import { errorMessage } from "../lib/api-client";

/** An empty list or a page with nothing to show; `heading` when it is the whole page (a 404), so the page has its h1. */
export function EmptyState({ title, children, heading }: { title: string; children?: ReactNode; heading?: boolean }) {
  return (
    <div className="empty-state">
      {heading ? <h1 className="empty-title">{title}</h1> : <p className="empty-title">{title}</p>}
      {children ? <div className="empty-body">{children}</div> : null}
    </div>
  );
}

export function ErrorState({
  error,
  onRetry,
  title = "Could not load this",
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  return (
    <div className="error-state" role="alert">
      <p className="empty-title">{title}</p>
      <p>{errorMessage(error)}</p>
      {onRetry ? (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** Grey blocks shaped like what is coming, so the page does not jump when it arrives. */
export function Skeleton({ lines = 3, height = 88 }: { lines?: number; height?: number }) {
  return (
    <div className="skeleton-list" role="status" aria-busy="true" aria-label="Loading">
      {Array.from({ length: lines }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders
        <div key={i} className="skeleton" style={{ height }} />
      ))}
    </div>
  );
}
