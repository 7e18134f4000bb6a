import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "./api-client";

/**
 * Queries stay fresh for a long time because changes are pushed: the realtime
 * client (web/src/realtime) invalidates exactly what an event affects, polls
 * only while the socket is down, and refetches on focus after a disconnect.
 * TanStack's own focus/reconnect refetches are off so they do not double up.
 */
export function createAppQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10 * 60_000,
        gcTime: 10 * 60_000,
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
        retry: (failureCount, error) => {
          if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
          return failureCount < 2;
        },
      },
      mutations: { retry: false },
    },
  });
}
