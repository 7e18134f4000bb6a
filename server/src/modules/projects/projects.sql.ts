/**
 * Read models built by PostgreSQL as JSON in one statement. A cache miss sits on
 * the critical path of every change (clients refetch right after the event), and
 * Prisma's relation loading spends a round trip per relation (project, owner,
 * badges, comments, authors); one statement is one round trip. The shapes are
 * those of shared/src/contracts/projects.ts, with timestamps formatted exactly as
 * JavaScript's toISOString() does.
 */
import type { ProjectSummary } from "@shared/contracts/projects";
import type { Database } from "../../db/database.js";
import { Prisma } from "../../generated/prisma/client.js";

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The key/value pairs of a ProjectSummary for project `p` owned by user `o`. */
const summaryPairs = `
  'id', p.id, 'title', p.title, 'description', p.description, 'url', p.url,
  'tags', COALESCE(p.tags, ARRAY[]::text[]), 'featured', p.featured, 'score', p.score,
  'upvotes', p.upvotes, 'downvotes', p.downvotes, 'commentCount', p.comment_count,
  'owner', json_build_object('id', o.id, 'name', o.name, 'avatarUrl', o.avatar_url),
  'badges', COALESCE((SELECT json_agg(json_build_object('kind', b.kind, 'createdAt', ${iso("b.created_at")})
                                      ORDER BY b.created_at, b.kind)
                        FROM badges b WHERE b.project_id = p.id), '[]'::json),
  'createdAt', ${iso("p.created_at")}, 'updatedAt', ${iso("p.updated_at")}`;

const MAX_COMMENTS = 1000;

const DETAIL = `
  SELECT json_build_object(${summaryPairs},
    'myVote', 0,
    'comments', COALESCE((
      SELECT json_agg(json_build_object(
               'id', c.id, 'projectId', c.project_id, 'body', c.body, 'score', c.score, 'parentId', c.parent_id,
               'author', json_build_object('id', a.id, 'name', a.name, 'avatarUrl', a.avatar_url),
               'myVote', 0, 'createdAt', ${iso("c.created_at")}, 'updatedAt', ${iso("c.updated_at")})
             ORDER BY c.created_at, c.id)
        FROM (SELECT * FROM comments WHERE project_id = p.id ORDER BY created_at, id LIMIT ${MAX_COMMENTS}) c
        JOIN users a ON a.id = c.author_id), '[]'::json)
  )::text AS json
  FROM projects p JOIN users o ON o.id = p.owner_id
  WHERE p.id = $1::uuid`;

/** The project page (everyone's view: myVote 0) as JSON text, or null when there is no such project. */
export async function loadDetailJson(db: Database, id: string): Promise<string | null> {
  const rows = await db.prisma.$queryRawUnsafe<{ json: string }[]>(DETAIL, id);
  return rows[0]?.json ?? null;
}

/** Summaries of the given projects, in the given order (missing ids are skipped). */
export async function loadSummaries(db: Database, ids: string[]): Promise<ProjectSummary[]> {
  if (!ids.length) return [];
  const rows = await db.prisma.$queryRaw<{ json: string }[]>`
    SELECT COALESCE(json_agg(json_build_object(${Prisma.raw(summaryPairs)}) ORDER BY x.ord), '[]'::json)::text AS json
      FROM unnest(${ids}::uuid[]) WITH ORDINALITY AS x(id, ord)
      JOIN projects p ON p.id = x.id
      JOIN users o ON o.id = p.owner_id`;
  return JSON.parse(rows[0]?.json ?? "[]") as ProjectSummary[];
}
