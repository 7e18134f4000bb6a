import type { NotificationKind } from "@shared/contracts/notifications";
import type { Tx } from "../../db/database.js";
import type { Effects } from "../../freshness/pipeline.js";

export interface NewNotification {
  userId: string;
  kind: NotificationKind;
  actorId: string;
  projectId?: string | null;
  commentId?: string | null;
  introId?: string | null;
}

/**
 * Writes one notification in the caller's transaction (so it commits or rolls
 * back with the change that causes it) and declares its event. Nobody is
 * notified of their own action.
 */
export async function notify(tx: Tx, fx: Effects, n: NewNotification): Promise<void> {
  if (n.userId === n.actorId) return;
  const [row] = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO notifications (user_id, kind, actor_id, project_id, comment_id, intro_id)
    VALUES (${n.userId}::uuid, ${n.kind}::notification_kind, ${n.actorId}::uuid, ${n.projectId ?? null}::uuid,
            ${n.commentId ?? null}::uuid, ${n.introId ?? null}::uuid)
    RETURNING id::text`;
  fx.emit("notification:created", { notificationId: row!.id, userId: n.userId, kind: n.kind });
}

/**
 * `new_project` to every follower of the maker, in one INSERT … SELECT (a
 * maker with 10,000 followers is one statement, not 10,000 round trips).
 */
export async function notifyFollowersOfNewProject(tx: Tx, fx: Effects, ownerId: string, projectId: string) {
  const rows = await tx.$queryRaw<{ id: string; userId: string }[]>`
    INSERT INTO notifications (user_id, kind, actor_id, project_id)
    SELECT f.follower_id, 'new_project'::notification_kind, f.followee_id, ${projectId}::uuid
      FROM follows f WHERE f.followee_id = ${ownerId}::uuid
    RETURNING id::text, user_id::text AS "userId"`;
  for (const r of rows)
    fx.emit("notification:created", { notificationId: r.id, userId: r.userId, kind: "new_project" });
  return rows.length;
}

/** What `zerostale_add_comment` reports it wrote (see the follows_notifications_search migration). */
export type WrittenNotifications = { id: string; userId: string; kind: NotificationKind }[];

export function emitWritten(fx: Effects, written: WrittenNotifications | string) {
  // jsonb arrives parsed from PostgreSQL's driver; as text from some adapters.
  const list: WrittenNotifications = typeof written === "string" ? JSON.parse(written) : written;
  for (const n of list) fx.emit("notification:created", { notificationId: n.id, userId: n.userId, kind: n.kind });
}
