import type { Me } from "@shared/contracts/auth";
import type { FollowResult } from "@shared/contracts/notifications";
import type { Profile, UpdateProfileBody } from "@shared/contracts/users";
import { profilePath } from "@shared/first-reads";
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "../../components/toast-store";
import { api, errorMessage } from "../../lib/api-client";
import { takeBoot } from "../../lib/boot";
import { invalidateSoon } from "../../lib/refetch-scheduler";
import { authKeys } from "../auth/auth.queries";
import { projectKeys } from "../projects/projects.queries";

export const profileKeys = {
  all: ["profiles"] as const,
  detail: (userId: string) => [...profileKeys.all, userId] as const,
};

export const profileQueryOptions = (userId: string) =>
  queryOptions({
    queryKey: profileKeys.detail(userId),
    queryFn: ({ signal }) => api.get<Profile>(profilePath(userId), signal),
    initialData: () => takeBoot<Profile>(profilePath(userId)),
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

/** Follows (true) or unfollows (false) a maker; the profile answers at once, the following feed refetches. */
export function useFollow(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (follow: boolean) =>
      follow ? api.post<FollowResult>(`/users/${userId}/follow`) : api.delete<FollowResult>(`/users/${userId}/follow`),
    onSuccess: (result) => {
      queryClient.setQueryData<Profile>(profileKeys.detail(userId), (old) =>
        old ? { ...old, followers: result.followers, followedByMe: result.following } : old,
      );
      invalidateSoon(queryClient, [profileKeys.detail(userId), projectKeys.lists()]);
    },
    onError: (err) => toast.error(errorMessage(err)),
  });
}
