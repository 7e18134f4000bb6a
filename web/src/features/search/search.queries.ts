import type { TagCount } from "@shared/contracts/projects";
import { queryOptions } from "@tanstack/react-query";
import { api } from "../../lib/api-client";

export const tagKeys = {
  all: ["tags"] as const,
};

export const tagsQueryOptions = () =>
  queryOptions({
    queryKey: tagKeys.all,
    queryFn: ({ signal }) => api.get<TagCount[]>("/tags", signal),
  });
