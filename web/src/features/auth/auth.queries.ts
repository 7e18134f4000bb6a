import type { AuthResponse, LoginBody, Me, SignupBody } from "@shared/contracts/auth";
import { SESSION_PATH } from "@shared/first-reads";
import { type QueryClient, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../lib/api-client";
import { takeBoot } from "../../lib/boot";
import { useRealtimeClient } from "../../lib/realtime-link";
import { introKeys } from "../intros/intros.queries";
import { conversationKeys, threadKeys } from "../messages/messages.queries";
import { projectKeys } from "../projects/projects.queries";

export const authKeys = {
  all: ["auth"] as const,
  me: () => [...authKeys.all, "me"] as const,
};

export const meQueryOptions = () =>
  queryOptions({
    queryKey: authKeys.me(),
    // /auth/session answers visitors 200 with null: /me's 401 would be a console error on every page.
    queryFn: async ({ signal }): Promise<Me | null> => (await api.get<{ user: Me | null }>(SESSION_PATH, signal)).user,
    // Every page's HTML carries it.
    initialData: () => takeBoot<{ user: Me | null }>(SESSION_PATH)?.user,
  });

export function useMe() {
  return useQuery(meQueryOptions());
}

/**
 * A new identity: private data of the previous one must not linger, and what
 * depends on the viewer (myVote) must be fetched again.
 */
export function applyIdentity(queryClient: QueryClient, user: Me | null) {
  queryClient.setQueryData(authKeys.me(), user);
  for (const queryKey of [introKeys.all, conversationKeys.all, threadKeys.all]) queryClient.removeQueries({ queryKey });
  void queryClient.invalidateQueries({ queryKey: projectKeys.details() });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginBody) => api.post<AuthResponse>("/auth/login", body),
    onSuccess: ({ user }) => applyIdentity(queryClient, user),
  });
}

export function useSignup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SignupBody) => api.post<AuthResponse>("/auth/signup", body),
    onSuccess: ({ user }) => applyIdentity(queryClient, user),
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  const realtime = useRealtimeClient();
  return useMutation({
    mutationFn: () => api.post<void>("/auth/logout"),
    onMutate: () => realtime.expectSignOut(),
    onSettled: () => applyIdentity(queryClient, null),
  });
}
