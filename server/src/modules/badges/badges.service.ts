import type { BadgeKind, BadgeView } from "@shared/contracts/badges";
import type { Freshness } from "../../freshness/pipeline.js";
import { conflict } from "../../lib/errors.js";
import type { AuthUser } from "../auth/auth.service.js";
import { notify } from "../notifications/notifications.writer.js";
import { lockProject } from "../projects/projects.service.js";

export class BadgesService {
  constructor(private readonly freshness: Freshness) {}

  async award(admin: AuthUser, projectId: string, kind: BadgeKind): Promise<BadgeView> {
    return this.freshness.mutate({ actorId: admin.id }, async (tx, fx) => {
      const project = await lockProject(tx, projectId);
      const existing = await tx.badge.findUnique({
        where: { projectId_kind: { projectId, kind } },
        select: { id: true },
      });
      if (existing) throw conflict(`This project already has the ${kind} badge`);
      const b = await tx.badge.create({ data: { projectId, kind, awardedBy: admin.id } });
      fx.emit("badge:awarded", {
        projectId,
        ownerId: project.ownerId,
        kind,
        projectTitle: project.title,
        createdAt: b.createdAt.toISOString(),
      });
      await notify(tx, fx, { userId: project.ownerId, kind: "badge_awarded", actorId: admin.id, projectId });
      return { id: b.id, projectId, kind: b.kind, createdAt: b.createdAt.toISOString() };
    });
  }
}
