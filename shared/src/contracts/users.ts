import { z } from "zod";
import type { Role } from "./auth";
import { HttpUrlSchema, line, text } from "./common";
import type { ProjectSummary } from "./projects";

export const UpdateProfileBodySchema = z
  .object({
    name: line(1, 80),
    bio: text(0, 500),
    avatarUrl: HttpUrlSchema.nullable().or(z.literal("").transform(() => null)),
  })
  .partial()
  .refine((b) => Object.values(b).some((v) => v !== undefined), "nothing to update");
export type UpdateProfileBody = z.infer<typeof UpdateProfileBodySchema>;

export interface PublicUser {
  id: string;
  name: string;
  bio: string;
  avatarUrl: string | null;
  role: Role;
  createdAt: string;
}

export interface ProfileStats {
  projects: number;
  totalScore: number;
  upvotes: number;
  comments: number;
  badges: number;
}

export interface Profile extends PublicUser {
  projects: ProjectSummary[];
  stats: ProfileStats;
  /** How many follow this user, and how many this user follows. */
  followers: number;
  following: number;
  /** Whether the caller follows this user (false when anonymous). */
  followedByMe: boolean;
}

export interface LeaderboardProject {
  rank: number;
  project: ProjectSummary;
}

export interface LeaderboardMaker {
  rank: number;
  user: { id: string; name: string; avatarUrl: string | null };
  projectCount: number;
  totalScore: number;
  badgeCount: number;
}

export interface Leaderboard {
  projects: LeaderboardProject[];
  makers: LeaderboardMaker[];
}
