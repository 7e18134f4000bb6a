import type { CommentVoteResult, CreateCommentBody } from "@shared/contracts/comments";
import type { VoteValue } from "@shared/contracts/common";
import type { CommentView } from "@shared/contracts/projects";
import type { Tx } from "../../db/database.js";
import type { Freshness } from "../../freshness/pipeline.js";
import { Prisma } from "../../generated/prisma/client.js";
import { badRequest, forbidden, notFound } from "../../lib/errors.js";
import type { AuthUser } from "../auth/auth.service.js";
import { emitWritten, type WrittenNotifications } from "../notifications/notifications.writer.js";
import { commentJson, loadComment } from "../projects/projects.sql.js";

/** Comments are plain text: stored as typed, never interpreted as HTML anywhere. */
export class CommentsService {
  private readonly addStatement;
  private readonly voteStatement;

  constructor(private readonly freshness: Freshness) {
    // Single statements that record their result in the outbox (ADR 014); these describe it as events.
    this.addStatement = freshness.defineStatement<{ projectId: string; authorId: string }, AddedRow>(
      "comment:add",
      ({ projectId, authorId }, row, fx) => {
        fx.emit("comment:added", {
          projectId,
          ownerId: row.ownerId,
          commentId: row.id,
          parentId: row.parentId,
          authorId,
          commentCount: row.commentCount,
        });
        // Written by the function in the same statement as the comment.
        emitWritten(fx, row.notified);
      },
    );
    this.voteStatement = freshness.defineStatement<{ commentId: string }, CommentVoteRow>(
      "comment:vote",
      ({ commentId }, row, fx) => fx.emit("comment:voted", { projectId: row.projectId, commentId, score: row.score }),
    );
  }

  /** One statement (`zerostale_add_comment`): no row lock held across round trips (see VotesService). */
  async add(user: AuthUser, projectId: string, input: CreateCommentBody): Promise<CommentView> {
    const row = await this.addStatement(
      { actorId: user.id },
      { projectId, authorId: user.id },
      Prisma.sql`SELECT f.status, f.id::text, f.parent_id::text AS "parentId", f.owner_id::text AS "ownerId",
             f.comment_count AS "commentCount", f.notified, ${Prisma.raw(ADDED_JSON)}::text AS json
        FROM zerostale_add_comment(${projectId}::uuid, ${user.id}::uuid, ${input.body}, ${input.parentId ?? null}::uuid) f
       CROSS JOIN (SELECT ${projectId}::uuid AS project_id, ${user.id}::uuid AS author_id) k`,
      Prisma.sql`r.status = 'ok'`,
    );
    if (!row || row.status === "no_project") throw notFound("Project");
    if (row.status === "bad_parent")
      throw badRequest("parentId must name a comment of the same project", [
        { path: "parentId", message: "is not a comment of this project" },
      ]);
    return JSON.parse(row.json) as CommentView;
  }

  async edit(user: AuthUser, commentId: string, body: string) {
    return this.freshness.mutate({ actorId: user.id }, async (tx, fx) => {
      const current = await lockComment(tx, commentId);
      if (!current) throw notFound("Comment");
      if (current.authorId !== user.id) throw forbidden("Only the author can edit this comment");
      await tx.comment.update({ where: { id: commentId }, data: { body }, select: { id: true } });
      fx.emit("comment:updated", { projectId: current.projectId, commentId });
      return (await loadComment(tx, commentId))!;
    });
  }

  /** Deletes the comment and its replies. */
  async remove(user: AuthUser, commentId: string) {
    await this.freshness.mutate({ actorId: user.id }, async (tx, fx) => {
      const current = await lockComment(tx, commentId);
      if (!current) throw notFound("Comment");
      if (current.authorId !== user.id && user.role !== "admin")
        throw forbidden("Only the author or an admin can delete this comment");
      // The replies go too: their authors' profile stats change as well.
      const replyAuthors = await tx.$queryRaw<{ authorId: string }[]>`
        WITH RECURSIVE thread AS (
          SELECT id, author_id FROM comments WHERE parent_id = ${commentId}::uuid
          UNION ALL
          SELECT c.id, c.author_id FROM comments c JOIN thread t ON c.parent_id = t.id
        )
        SELECT DISTINCT author_id::text AS "authorId" FROM thread`;
      await tx.comment.delete({ where: { id: commentId } });
      const commentCount = await countOf(tx, current.projectId);
      fx.emit("comment:deleted", {
        projectId: current.projectId,
        ownerId: current.ownerId,
        commentId,
        authorIds: [...new Set([current.authorId, ...replyAuthors.map((r) => r.authorId)])],
        commentCount,
      });
    });
  }

  /** One statement (`zerostale_comment_vote`), for the same reason as project votes (VotesService). */
  async vote(user: AuthUser, commentId: string, value: VoteValue): Promise<CommentVoteResult> {
    const row = await this.voteStatement(
      { actorId: user.id },
      { commentId },
      Prisma.sql`SELECT found, changed, project_id::text AS "projectId", score
          FROM zerostale_comment_vote(${commentId}::uuid, ${user.id}::uuid, ${value}::int)`,
      Prisma.sql`r.changed`,
    );
    if (!row?.found) throw notFound("Comment");
    return { commentId, myVote: value, score: row.score };
  }
}

/** The new comment as every read shows it, built from the function's result (`f`) and its arguments (`k`). */
const ADDED_JSON = commentJson(
  {
    id: "f.id",
    projectId: "k.project_id",
    body: "f.body",
    score: "f.score",
    parentId: "f.parent_id",
    createdAt: "f.created_at",
    updatedAt: "f.updated_at",
  },
  { id: "k.author_id", name: "f.author_name", avatarUrl: "f.author_avatar" },
);

interface AddedRow {
  status: "ok" | "no_project" | "bad_parent";
  id: string;
  parentId: string | null;
  ownerId: string;
  commentCount: number;
  // The notifications the function wrote (comment, reply), as jsonb.
  notified: WrittenNotifications;
  /** The comment (a Comment of the API) as JSON text. */
  json: string;
}

interface CommentVoteRow {
  found: boolean;
  changed: boolean;
  projectId: string;
  score: number;
}

/** Reads a comment to edit or delete it, locking its row until commit (replies and votes reference it in their own statements). */
async function lockComment(tx: Tx, id: string) {
  const rows = await tx.$queryRaw<{ authorId: string; projectId: string; ownerId: string }[]>`
    SELECT c.author_id::text AS "authorId", c.project_id::text AS "projectId", p.owner_id::text AS "ownerId"
      FROM comments c JOIN projects p ON p.id = c.project_id WHERE c.id = ${id}::uuid FOR UPDATE OF c`;
  return rows[0] ?? null;
}

async function countOf(tx: Tx, projectId: string): Promise<number> {
  const p = await tx.project.findUnique({ where: { id: projectId }, select: { commentCount: true } });
  return p?.commentCount ?? 0;
}
