import type { Me } from "@shared/contracts/auth";
import type { Profile, UpdateProfileBody } from "@shared/contracts/users";
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../lib/api-client";
import { invalidateSoon } from "../../realtime/refetch-scheduler";
import { authKeys } from "../auth/auth.queries";

export const profileKeys = {
  all: ["profiles"] as const,
  detail: (userId: string) => [...profileKeys.all, userId] as const,
};

export const profileQueryOptions = (userId: string) =>
  queryOptions({
    queryKey: profileKeys.detail(userId),
    queryFn: ({ signal }) => api.get<Profile>(`/users/${encodeURIComponent(userId)}`, signal),
  });

export function useUpdateProfile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateProfileBody) => api.patch<Me>("/users/me", body),
    onSuccess: (me) => {
      queryClient.setQueryData(authKeys.me(), me);
      queryClient.setQueryData<Profile>(profileKeys.detail(me.id), (old) =>
        old ? { ...old, name: me.name, bio: me.bio, avatarUrl: me.avatarUrl } : old,
      );
      invalidateSoon(queryClient, [profileKeys.detail(me.id)]);
    },
  });
}
