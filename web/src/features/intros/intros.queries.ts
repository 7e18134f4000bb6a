import type { CreateIntroBody, IntrosResponse, IntroView } from "@shared/contracts/intros";
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../lib/api-client";
import { invalidateSoon } from "../../lib/refetch-scheduler";

/** Intros are private: keyed by the viewer, so another sign-in never sees them. */
export const introKeys = {
  all: ["intros"] as const,
  list: (userId: string) => [...introKeys.all, userId] as const,
};

export const introsQueryOptions = (userId: string) =>
  queryOptions({
    queryKey: introKeys.list(userId),
    queryFn: ({ signal }) => api.get<IntrosResponse>("/intros", signal),
  });

export function useRequestIntro(meId: string | undefined) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateIntroBody) => api.post<IntroView>("/intros", body),
    onSuccess: (intro) => {
      if (!meId) return;
      queryClient.setQueryData<IntrosResponse>(introKeys.list(meId), (old) =>
        old && !old.sent.some((i) => i.id === intro.id) ? { ...old, sent: [intro, ...old.sent] } : old,
      );
      invalidateSoon(queryClient, [introKeys.list(meId)]);
    },
  });
}

export function useRespondToIntro(meId: string) {
  const queryClient = useQueryClient();
  const key = introKeys.list(meId);
  return useMutation({
    mutationFn: ({ id, accept }: { id: string; accept: boolean }) =>
      api.post<IntroView>(`/intros/${id}/${accept ? "accept" : "decline"}`),
    onSuccess: (intro) => {
      queryClient.setQueryData<IntrosResponse>(key, (old) =>
        old ? { ...old, received: old.received.map((i) => (i.id === intro.id ? intro : i)) } : old,
      );
      invalidateSoon(queryClient, [key]);
    },
  });
}

export const pendingReceived = (data: IntrosResponse | undefined) =>
  data?.received.filter((i) => i.status === "pending").length ?? 0;
