/** Badge kinds and their labels without zod, for the web app's first page (badges.ts adds the schemas). */
export const BADGE_KINDS = ["winner", "runner_up", "staff_pick", "best_design", "most_technical"] as const;
export type BadgeKind = (typeof BADGE_KINDS)[number];

export const BADGE_LABELS: Record<BadgeKind, string> = {
  winner: "Winner",
  runner_up: "Runner-up",
  staff_pick: "Staff pick",
  best_design: "Best design",
  most_technical: "Most technical",
};
