import type { ConversationSummary, MessageView, SendMessageBody } from "@shared/contracts/messages";
import type { Database } from "../../db/database.js";
import type { Freshness } from "../../freshness/pipeline.js";
import { forbidden, notFound } from "../../lib/errors.js";
import type { AuthUser } from "../auth/auth.service.js";
import { referenceOtherUser } from "../users/users.service.js";

type MessageRow = {
  id: string;
  senderId: string;
  recipientId: string;
  body: string;
  readAt: Date | null;
  createdAt: Date;
};

const toView = (m: MessageRow): MessageView => ({
  id: m.id,
  senderId: m.senderId,
  recipientId: m.recipientId,
  body: m.body,
  readAt: m.readAt?.toISOString() ?? null,
  createdAt: m.createdAt.toISOString(),
});

const messageSelect = {
  id: true,
  senderId: true,
  recipientId: true,
  body: true,
  readAt: true,
  createdAt: true,
} as const;
const CONVERSATION_LIMIT = 500;

/**
 * Direct messages. Only the two participants can read a conversation or learn
 * anything about it; everyone else gets the same 404 as for a message that
 * does not exist.
 */
export class MessagesService {
  constructor(
    private readonly db: Database,
    private readonly freshness: Freshness,
  ) {}

  async send(user: AuthUser, input: SendMessageBody): Promise<MessageView> {
    return this.freshness.mutate({ actorId: user.id }, async (tx, fx) => {
      await referenceOtherUser(tx, user, input.toUserId, "You cannot message yourself");
      const m = await tx.message.create({
        data: { senderId: user.id, recipientId: input.toUserId, body: input.body },
        select: { ...messageSelect, sender: { select: { name: true } } },
      });
      fx.emit("message:received", {
        messageId: m.id,
        senderId: user.id,
        recipientId: input.toUserId,
        senderName: m.sender.name,
      });
      return toView(m);
    });
  }

  async conversations(user: AuthUser): Promise<ConversationSummary[]> {
    const rows = await this.db.prisma.$queryRaw<
      (MessageRow & { otherId: string; otherName: string; otherAvatar: string | null; unread: number })[]
    >`
      WITH mine AS (
        SELECT m.*, CASE WHEN m.sender_id = ${user.id}::uuid THEN m.recipient_id ELSE m.sender_id END AS other_id
          FROM messages m
         WHERE m.sender_id = ${user.id}::uuid OR m.recipient_id = ${user.id}::uuid
      ), latest AS (
        SELECT DISTINCT ON (other_id) * FROM mine ORDER BY other_id, created_at DESC, id DESC
      ), unread AS (
        SELECT sender_id AS other_id, count(*)::int AS n FROM messages
         WHERE recipient_id = ${user.id}::uuid AND read_at IS NULL GROUP BY sender_id
      )
      SELECT l.id::text, l.sender_id::text AS "senderId", l.recipient_id::text AS "recipientId", l.body,
             l.read_at AS "readAt", l.created_at AS "createdAt",
             u.id::text AS "otherId", u.name AS "otherName", u.avatar_url AS "otherAvatar",
             COALESCE(un.n, 0)::int AS unread
        FROM latest l
        JOIN users u ON u.id = l.other_id
        LEFT JOIN unread un ON un.other_id = l.other_id
       ORDER BY l.created_at DESC`;
    return rows.map((r) => ({
      user: { id: r.otherId, name: r.otherName, avatarUrl: r.otherAvatar },
      lastMessage: toView(r),
      unreadCount: Number(r.unread),
    }));
  }

  /** Nobody has a conversation with themselves: the same 404 as for an unknown user. */
  private async requireOther(user: AuthUser, otherId: string) {
    const other =
      otherId === user.id
        ? null
        : await this.db.prisma.user.findUnique({ where: { id: otherId }, select: { id: true } });
    if (!other) throw notFound("Conversation");
  }

  /**
   * Marks every incoming message of the conversation with `otherId` read. A POST
   * of its own, not a side effect of reading: a GET must change nothing (a
   * cross-site page could otherwise mark messages read with an image tag).
   */
  async markConversationRead(user: AuthUser, otherId: string): Promise<{ count: number; readAt: string | null }> {
    await this.requireOther(user, otherId);
    return this.freshness.mutate({ actorId: user.id }, async (tx, fx) => {
      const readAt = new Date();
      const { count } = await tx.message.updateMany({
        where: { senderId: otherId, recipientId: user.id, readAt: null },
        data: { readAt },
      });
      if (count === 0) return { count, readAt: null };
      fx.emit("messages:read", { senderId: otherId, readerId: user.id, count, readAt: readAt.toISOString() });
      return { count, readAt: readAt.toISOString() };
    });
  }

  /** The conversation with `otherId`, oldest first. Reading changes nothing. */
  async conversation(user: AuthUser, otherId: string): Promise<MessageView[]> {
    await this.requireOther(user, otherId);
    const latest = await this.db.prisma.message.findMany({
      where: {
        OR: [
          { senderId: user.id, recipientId: otherId },
          { senderId: otherId, recipientId: user.id },
        ],
      },
      select: messageSelect,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: CONVERSATION_LIMIT,
    });
    return latest.reverse().map(toView);
  }

  async markRead(user: AuthUser, messageId: string): Promise<MessageView> {
    return this.freshness.mutate({ actorId: user.id }, async (tx, fx) => {
      const m = await tx.message.findUnique({ where: { id: messageId }, select: messageSelect });
      if (!m || (m.recipientId !== user.id && m.senderId !== user.id)) throw notFound("Message");
      if (m.recipientId !== user.id) throw forbidden("Only the recipient can mark a message read");
      if (m.readAt) return toView(m);
      const updated = await tx.message.update({
        where: { id: messageId },
        data: { readAt: new Date() },
        select: messageSelect,
      });
      fx.emit("message:read", {
        messageId,
        senderId: m.senderId,
        readerId: user.id,
        readAt: (updated.readAt as Date).toISOString(),
      });
      return toView(updated);
    });
  }
}
