import type { Leaderboard } from "@shared/contracts/users";
import { queryOptions } from "@tanstack/react-query";
import { api } from "../../lib/api-client";

export const leaderboardKeys = {
  all: ["leaderboard"] as const,
};

export const leaderboardQueryOptions = () =>
  queryOptions({
    queryKey: leaderboardKeys.all,
    queryFn: ({ signal }) => api.get<Leaderboard>("/leaderboard", signal),
  });
