import { z } from "zod";

import { BADGE_KINDS, BADGE_LABELS, type BadgeKind } from "./badge-kinds";

export type { BadgeView } from "./responses";
export { BADGE_KINDS, BADGE_LABELS, type BadgeKind };
export const BadgeKindSchema = z.enum(BADGE_KINDS);
export const AwardBadgeBodySchema = z.object({ kind: BadgeKindSchema });
