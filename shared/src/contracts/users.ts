import { z } from "zod";
import { HttpUrlSchema, line, text } from "./common";

export type {
  Leaderboard,
  LeaderboardMaker,
  LeaderboardProject,
  Profile,
  ProfileStats,
  PublicUser,
} from "./responses";

export const UpdateProfileBodySchema = z
  .object({
    name: line(1, 80),
    bio: text(0, 500),
    avatarUrl: HttpUrlSchema.nullable().or(z.literal("").transform(() => null)),
  })
  .partial()
  .refine((b) => Object.values(b).some((v) => v !== undefined), "nothing to update");
export type UpdateProfileBody = z.infer<typeof UpdateProfileBodySchema>;
