import type { IntroStatus } from "@shared/contracts/intros";
import type {
  MarkReadResult,
  NotificationKind,
  NotificationsPage,
  NotificationsQuery,
  NotificationView,
} from "@shared/contracts/notifications";
import type { Database } from "../../db/database.js";
import type { Freshness } from "../../freshness/pipeline.js";
import { notFound } from "../../lib/errors.js";
import type { AuthUser } from "../auth/auth.service.js";

/** How much of a comment a notification quotes. */
const EXCERPT = 200;

interface Row {
  id: string;
  kind: NotificationKind;
  actorId: string | null;
  actorName: string | null;
  actorAvatar: string | null;
  projectId: string | null;
  projectTitle: string | null;
  commentId: string | null;
  commentBody: string | null;
  commentParent: string | null;
  introId: string | null;
  introStatus: IntroStatus | null;
  readAt: Date | null;
  createdAt: Date;
}

const toView = (r: Row): NotificationView => ({
  id: r.id,
  kind: r.kind,
  ...(r.actorId && { actor: { id: r.actorId, name: r.actorName ?? "", avatarUrl: r.actorAvatar } }),
  ...(r.projectId && { project: { id: r.projectId, title: r.projectTitle ?? "" } }),
  ...(r.commentId && { comment: { id: r.commentId, body: r.commentBody ?? "", parentId: r.commentParent } }),
  ...(r.introId && r.introStatus && { intro: { id: r.introId, status: r.introStatus } }),
  readAt: r.readAt?.toISOString() ?? null,
  createdAt: r.createdAt.toISOString(),
});

/**
 * The inbox. Never cached on the server: it is one user's, read with two
 * indexed statements, and so always as fresh as the database (SPEC freshness 7).
 */
export class NotificationsService {
  constructor(
    private readonly db: Database,
    private readonly freshness: Freshness,
  ) {}

  async list(user: AuthUser, q: NotificationsQuery): Promise<NotificationsPage> {
    const [rows, counts] = await Promise.all([
      this.db.prisma.$queryRaw<Row[]>`
        SELECT n.id::text, n.kind::text,
               a.id::text AS "actorId", a.name AS "actorName", a.avatar_url AS "actorAvatar",
               p.id::text AS "projectId", p.title AS "projectTitle",
               c.id::text AS "commentId", left(c.body, ${EXCERPT}) AS "commentBody", c.parent_id::text AS "commentParent",
               i.id::text AS "introId", i.status::text AS "introStatus",
               n.read_at AS "readAt", n.created_at AS "createdAt"
          FROM notifications n
          LEFT JOIN users a ON a.id = n.actor_id
          LEFT JOIN projects p ON p.id = n.project_id
          LEFT JOIN comments c ON c.id = n.comment_id
          LEFT JOIN intros i ON i.id = n.intro_id
         WHERE n.user_id = ${user.id}::uuid AND (${q.unread}::boolean IS FALSE OR n.read_at IS NULL)
         ORDER BY n.created_at DESC, n.id DESC
         LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      this.counts(user.id, q.unread),
    ]);
    return { items: rows.map(toView), page: q.page, pageSize: q.pageSize, ...counts };
  }

  private async counts(userId: string, unreadOnly: boolean) {
    const [c] = await this.db.prisma.$queryRaw<{ total: number; unread: number }[]>`
      SELECT count(*) FILTER (WHERE ${unreadOnly}::boolean IS FALSE OR read_at IS NULL)::int AS total,
             count(*) FILTER (WHERE read_at IS NULL)::int AS unread
        FROM notifications WHERE user_id = ${userId}::uuid`;
    return { total: Number(c?.total ?? 0), unreadCount: Number(c?.unread ?? 0) };
  }

  /** Marks the given notifications (or, without ids, all) of the caller read; others' ids are ignored. */
  async markRead(user: AuthUser, ids: string[] | undefined): Promise<MarkReadResult> {
    return this.freshness.mutate({ actorId: user.id }, async (tx, fx) => {
      const updated = await tx.$queryRaw<{ id: string; readAt: Date }[]>`
        UPDATE notifications SET read_at = now()
         WHERE user_id = ${user.id}::uuid AND read_at IS NULL
           AND (${ids ?? null}::uuid[] IS NULL OR id = ANY(${ids ?? null}::uuid[]))
        RETURNING id::text, read_at AS "readAt"`;
      if (updated.length)
        fx.emit("notifications:read", {
          userId: user.id,
          ids: ids ? updated.map((r) => r.id) : null,
          count: updated.length,
          readAt: updated[0]!.readAt.toISOString(),
        });
      const [c] = await tx.$queryRaw<{ unread: number }[]>`
        SELECT count(*)::int AS unread FROM notifications WHERE user_id = ${user.id}::uuid AND read_at IS NULL`;
      return { updated: updated.length, unreadCount: Number(c?.unread ?? 0) };
    });
  }

  /** Deletes one of the caller's notifications; anyone else's is "not found". */
  async remove(user: AuthUser, id: string): Promise<void> {
    await this.freshness.mutate({ actorId: user.id }, async (tx, fx) => {
      const deleted = await tx.$executeRaw`
        DELETE FROM notifications WHERE id = ${id}::uuid AND user_id = ${user.id}::uuid`;
      if (!deleted) throw notFound("Notification");
      fx.emit("notification:deleted", { notificationId: id, userId: user.id });
    });
  }
}
