import type { CommentsPageQuery, CreateProjectBody, UpdateProjectBody } from "@shared/contracts/projects";
import { summaryDescription } from "@shared/realtime/events";
import { R } from "@shared/realtime/resources";
import type { Cache } from "../../cache/cache.js";
import type { Database, Tx } from "../../db/database.js";
import type { Freshness } from "../../freshness/pipeline.js";
import { badRequest, forbidden, notFound } from "../../lib/errors.js";
import type { AuthUser } from "../auth/auth.service.js";
import { notify, notifyFollowersOfNewProject } from "../notifications/notifications.writer.js";
import { packedIds, renderDetail, renderThreadPage, unpackComments } from "./comment-entries.js";
import { loadDetailComments, loadSummaries, loadSummary, loadThreadPage, parseThreadCursor } from "./projects.sql.js";

export class ProjectsService {
  constructor(
    private readonly db: Database,
    private readonly cache: Cache,
    private readonly freshness: Freshness,
  ) {}

  /**
   * The project page as JSON, from two entries read in one round trip: the
   * project's summary (the feed's entry, not a copy of it) and its comments,
   * packed (comment-entries.ts). Both hold what everyone sees; the caller's own
   * votes are added per request and never cached for anyone else.
   */
  async detailJson(id: string, viewer: AuthUser | null): Promise<string> {
    const [summary, comments] = await this.cache.readEach(
      [
        { name: `summary:${id}`, tags: [R.project(id)] },
        { name: `project-comments:${id}`, tags: [R.project(id)] },
      ],
      (missing) => Promise.all(missing.map((i) => (i === 0 ? this.summaryJson(id) : loadDetailComments(this.db, id)))),
    );
    if (summary === "null") throw notFound("Project");
    const packed = unpackComments(comments!);
    if (!viewer) return renderDetail(summary!, packed, id, 0, null);
    const mine = await this.myVotes(id, viewer.id);
    return renderDetail(summary!, packed, id, mine.project, mine.comments);
  }

  /**
   * Older comment threads, newest first. Cached per page under the project's
   * tag, which every comment change moves; the caller's own comment votes are
   * added per request.
   */
  async commentsJson(id: string, q: CommentsPageQuery, viewer: AuthUser | null): Promise<string> {
    const before = q.before === undefined ? null : parseThreadCursor(q.before);
    if (q.before !== undefined && !before)
      throw badRequest("before is not a cursor of this API", [{ path: "before", message: "is not a cursor" }]);
    const json = await this.cache.read(`comments:${id}:${q.before ?? ""}:${q.limit}`, [R.project(id)], async () => {
      const exists = await this.db.prisma.$queryRaw<unknown[]>`SELECT 1 FROM projects WHERE id = ${id}::uuid`;
      if (!exists.length) return "null";
      return loadThreadPage(this.db, id, before, q.limit);
    });
    if (json === "null") throw notFound("Project");
    const page = unpackComments(json);
    if (!viewer || !page.lines.length) return renderThreadPage(page, id, null);
    const ids = packedIds(page);
    const mine = await this.db.prisma.$queryRaw<{ id: string; value: number }[]>`
      SELECT comment_id::text AS id, value::int AS value FROM comment_votes
       WHERE user_id = ${viewer.id}::uuid AND comment_id = ANY(${ids}::uuid[])`;
    return renderThreadPage(page, id, new Map(mine.map((r) => [r.id, Number(r.value)])));
  }

  /** The project's summary, as the feed caches it ("null" when there is no such project). */
  private async summaryJson(id: string): Promise<string> {
    return JSON.stringify((await loadSummaries(this.db.prisma, [id]))[0] ?? null);
  }

  /**
   * The caller's own votes on the project and its comments (by id), cached in
   * an entry of the caller's own (no one else computes its name) under the
   * project's tag, which every vote and comment vote on the project moves.
   */
  private async myVotes(projectId: string, userId: string) {
    type Mine = { kind: string; id: string; value: number }[];
    const load = async () =>
      JSON.stringify(
        await this.db.prisma.$queryRaw<Mine>`
          SELECT 'project' AS kind, v.project_id::text AS id, v.value::int AS value
            FROM votes v WHERE v.project_id = ${projectId}::uuid AND v.user_id = ${userId}::uuid
          UNION ALL
          SELECT 'comment', cv.comment_id::text, cv.value::int
            FROM comment_votes cv JOIN comments c ON c.id = cv.comment_id
           WHERE c.project_id = ${projectId}::uuid AND cv.user_id = ${userId}::uuid`,
      );
    const rows = JSON.parse(
      await this.cache.read(`myvotes:${projectId}:${userId}`, [R.project(projectId)], load, { refill: false }),
    ) as Mine;
    return {
      project: Number(rows.find((r) => r.kind === "project")?.value ?? 0),
      comments: new Map(rows.filter((r) => r.kind === "comment").map((r) => [r.id, Number(r.value)])),
    };
  }

  async create(owner: AuthUser, input: CreateProjectBody) {
    return this.freshness.mutate({ actorId: owner.id }, async (tx, fx) => {
      const p = await tx.project.create({
        data: {
          ownerId: owner.id,
          title: input.title,
          description: input.description,
          url: input.url ?? null,
          tags: input.tags,
        },
        select: { id: true },
      });
      const summary = await loadSummary(tx, p.id);
      fx.emit("project:created", {
        projectId: p.id,
        ownerId: owner.id,
        summary: {
          title: summary.title,
          description: summaryDescription(summary.description),
          url: summary.url,
          tags: summary.tags,
          owner: summary.owner,
          createdAt: summary.createdAt,
          updatedAt: summary.updatedAt,
        },
      });
      await notifyFollowersOfNewProject(tx, fx, owner.id, p.id);
      return summary;
    });
  }

  async update(user: AuthUser, id: string, input: UpdateProjectBody) {
    return this.freshness.mutate({ actorId: user.id }, async (tx, fx) => {
      const current = await lockProject(tx, id);
      if (current.ownerId !== user.id) throw forbidden("Only the owner can edit this project");
      await tx.project.update({
        where: { id },
        data: {
          ...(input.title !== undefined && { title: input.title }),
          ...(input.description !== undefined && { description: input.description }),
          ...(input.url !== undefined && { url: input.url }),
          ...(input.tags !== undefined && { tags: input.tags }),
        },
        select: { id: true },
      });
      const summary = await loadSummary(tx, id);
      fx.emit("project:updated", { projectId: id, ownerId: current.ownerId, title: summary.title });
      return summary;
    });
  }

  async remove(user: AuthUser, id: string) {
    await this.freshness.mutate({ actorId: user.id }, async (tx, fx) => {
      const current = await lockProject(tx, id);
      if (current.ownerId !== user.id && user.role !== "admin")
        throw forbidden("Only the owner or an admin can delete this project");
      await tx.project.delete({ where: { id } });
      fx.emit("project:deleted", { projectId: id, ownerId: current.ownerId });
    });
  }

  async feature(user: AuthUser, id: string, featured: boolean) {
    return this.freshness.mutate({ actorId: user.id }, async (tx, fx) => {
      const current = await lockProject(tx, id);
      await tx.project.update({ where: { id }, data: { featured }, select: { id: true } });
      if (current.featured !== featured) {
        fx.emit("project:featured", { projectId: id, ownerId: current.ownerId, featured });
        if (featured)
          await notify(tx, fx, { userId: current.ownerId, kind: "project_featured", actorId: user.id, projectId: id });
      }
      return loadSummary(tx, id);
    });
  }
}

/** Reads a project for a write, locking its row for the rest of the transaction. */
export async function lockProject(tx: Tx, id: string) {
  const rows = await tx.$queryRaw<{ id: string; ownerId: string; featured: boolean; title: string }[]>`
    SELECT id::text, owner_id::text AS "ownerId", featured, title FROM projects WHERE id = ${id}::uuid FOR UPDATE`;
  const row = rows[0];
  if (!row) throw notFound("Project");
  return row;
}

/**
 * Reads a project that a new row (vote, comment, intro) will reference. The
 * key-share lock keeps a concurrent delete from removing it before this
 * transaction commits (which would fail the insert's foreign key), without
 * blocking other voters or commenters.
 */
export async function referenceProject(tx: Tx, id: string) {
  const rows = await tx.$queryRaw<{ ownerId: string }[]>`
    SELECT owner_id::text AS "ownerId" FROM projects WHERE id = ${id}::uuid FOR KEY SHARE`;
  const row = rows[0];
  if (!row) throw notFound("Project");
  return row;
}
