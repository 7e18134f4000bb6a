import { onlineManager, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useCallback, useSyncExternalStore } from "react";
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

type Stalled = "offline" | "unreachable" | null;

/**
 * Why what a page waits for is not coming: the device is offline (queries are
 * paused until it is back), or a fetch failed and is being retried (the server
 * is down). Read from the query cache, so every page's placeholder says so.
 */
function useStalled(): Stalled {
  const queryClient = useQueryClient();
  const subscribe = useCallback(
    (onChange: () => void) => {
      const offCache = queryClient.getQueryCache().subscribe(onChange);
      const offOnline = onlineManager.subscribe(onChange);
      return () => {
        offCache();
        offOnline();
      };
    },
    [queryClient],
  );
  const read = useCallback((): Stalled => {
    const waiting = queryClient
      .getQueryCache()
      .getAll()
      .filter((q) => q.state.status === "pending" && q.isActive());
    if (waiting.some((q) => q.state.fetchStatus === "paused") || (!onlineManager.isOnline() && waiting.length))
      return "offline";
    if (waiting.some((q) => q.state.fetchFailureCount > 0)) return "unreachable";
    return null;
  }, [queryClient]);
  return useSyncExternalStore(subscribe, read, read);
}

const STALLED_TEXT = {
  offline: "You are offline. This page will load as soon as the connection is back.",
  unreachable: "Cannot reach Zerostale right now. Trying again…",
} as const;

/**
 * Grey blocks shaped like what is coming, so the page does not jump when it
 * arrives; when it is not coming (offline, server down) it says so instead.
 */
export function Skeleton({ lines = 3, height = 88 }: { lines?: number; height?: number }) {
  const stalled = useStalled();
  if (stalled)
    return (
      <div className="stalled-state" role="status" data-testid="stalled">
        <p className="empty-title">{stalled === "offline" ? "Offline" : "Server unreachable"}</p>
        <p>{STALLED_TEXT[stalled]}</p>
      </div>
    );
  return (
    <div className="skeleton-list" role="status" aria-busy="true" aria-label="Loading">
      {Array.from({ length: lines }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders
        <div key={i} className="skeleton" style={{ height }} />
      ))}
    </div>
  );
}
