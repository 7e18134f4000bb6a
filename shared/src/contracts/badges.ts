import { z } from "zod";

export const BADGE_KINDS = ["winner", "runner_up", "staff_pick", "best_design", "most_technical"] as const;
export const BadgeKindSchema = z.enum(BADGE_KINDS);
export type BadgeKind = z.infer<typeof BadgeKindSchema>;
export const AwardBadgeBodySchema = z.object({ kind: BadgeKindSchema });

export const BADGE_LABELS: Record<BadgeKind, string> = {
  winner: "Winner",
  runner_up: "Runner-up",
  staff_pick: "Staff pick",
  best_design: "Best design",
  most_technical: "Most technical",
};

export interface BadgeView {
  id: string;
  projectId: string;
  kind: BadgeKind;
  createdAt: string;
}
