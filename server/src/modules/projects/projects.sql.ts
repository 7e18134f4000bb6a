/**
 * The read models built by PostgreSQL as JSON: ProjectSummary, ProjectDetail,
 * Comment (and the UserRef inside them). Each shape is written here once, and
 * reads and mutation responses alike take it from here: a mutation's answer is
 * the same JSON a read of the same row gives (the TS mappers these replaced
 * had drifted: badges of equal time came in another order).
 *
 * Why SQL: a cache miss sits on the critical path of every change (clients
 * refetch right after the event), and Prisma's relation loading spends a round
 * trip per relation (project, owner, badges, comments, authors); one statement
 * is one round trip. The shapes are those of shared/src/contracts/responses.ts,
 * with timestamps formatted exactly as JavaScript's toISOString() does.
 */
import type { CommentView, ProjectSummary } from "@shared/contracts/projects";
import type { Database, Tx } from "../../db/database.js";
import { Prisma } from "../../generated/prisma/client.js";
import { packComments } from "./comment-entries.js";

/** The client or a transaction: mutations build their answer inside their own transaction. */
type Queries = Pick<Tx, "$queryRaw" | "$queryRawUnsafe">;

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A UserRef from the columns (or expressions) of a user. The TS-built models
 * (intros, messages, notifications) write the same three keys:
 * read-models.routes.test.ts holds both to one output.
 */
const userRefJson = (u: { id: string; name: string; avatarUrl: string }) =>
  `json_build_object('id', ${u.id}, 'name', ${u.name}, 'avatarUrl', ${u.avatarUrl})`;

/** The key/value pairs of a ProjectSummary for project `p` owned by user `o`. */
const summaryPairs = `
  'id', p.id, 'title', p.title, 'description', p.description, 'url', p.url,
  'tags', COALESCE(p.tags, ARRAY[]::text[]), 'featured', p.featured, 'score', p.score,
  'upvotes', p.upvotes, 'downvotes', p.downvotes, 'commentCount', p.comment_count,
  'owner', ${userRefJson({ id: "o.id", name: "o.name", avatarUrl: "o.avatar_url" })},
  'badges', COALESCE((SELECT json_agg(json_build_object('kind', b.kind, 'createdAt', ${iso("b.created_at")})
                                      ORDER BY b.created_at, b.kind)
                        FROM badges b WHERE b.project_id = p.id), '[]'::json),
  'createdAt', ${iso("p.created_at")}, 'updatedAt', ${iso("p.updated_at")}`;

/**
 * A Comment (everyone's view: myVote 0) from the columns of a comment and its
 * author; `c` and `a` by default, other expressions where a statement has the
 * values elsewhere (the add-comment function's result).
 */
export function commentJson(
  c: Record<"id" | "projectId" | "body" | "score" | "parentId" | "createdAt" | "updatedAt", string> = {
    id: "c.id",
    projectId: "c.project_id",
    body: "c.body",
    score: "c.score",
    parentId: "c.parent_id",
    createdAt: "c.created_at",
    updatedAt: "c.updated_at",
  },
  author = { id: "a.id", name: "a.name", avatarUrl: "a.avatar_url" },
) {
  return `json_build_object(
    'id', ${c.id}, 'projectId', ${c.projectId}, 'body', ${c.body}, 'score', ${c.score}, 'parentId', ${c.parentId},
    'author', ${userRefJson(author)}, 'myVote', 0, 'createdAt', ${iso(c.createdAt)}, 'updatedAt', ${iso(c.updatedAt)})`;
}

/** One comment as a mutation answers it (null when there is no such comment). */
export async function loadComment(db: Queries, id: string): Promise<CommentView | null> {
  const rows = await db.$queryRawUnsafe<{ json: string }[]>(
    `SELECT ${commentJson()}::text AS json FROM comments c JOIN users a ON a.id = c.author_id WHERE c.id = $1::uuid`,
    id,
  );
  return rows[0] ? (JSON.parse(rows[0].json) as CommentView) : null;
}

/** How many threads the project page holds; older ones are paged (GET /api/projects/:id/comments). */
export const DETAIL_THREADS = 200;

/** One comment row as the thread query returns it (timestamps in epoch ms, truncated as toISOString does). */
export interface CommentRow {
  id: string;
  body: string;
  score: number;
  parentId: string | null;
  authorId: string;
  authorName: string;
  authorAvatar: string | null;
  createdMs: number;
  updatedMs: number;
}

export interface LoadedThreads {
  items: { root: CommentRow; replies: CommentRow[] }[];
  nextCursor: string | null;
}

/**
 * A thread is a top-level comment with every reply under it. Threads are
 * ordered by their latest comment (newest first), so a new reply brings its
 * thread to the top: a new comment is always on the project page. The cursor
 * names the last thread returned: `<latest comment, epoch ms>_<thread id>`.
 */
export function parseThreadCursor(cursor: string): { ms: string; root: string } | null {
  const m = /^(\d{1,15})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(cursor);
  return m ? { ms: m[1]!, root: m[2]!.toLowerCase() } : null;
}

const THREADS = `
  WITH RECURSIVE t AS (
    SELECT c.id, c.id AS root, c.created_at FROM comments c WHERE c.project_id = $1::uuid AND c.parent_id IS NULL
    UNION ALL
    SELECT c.id, t.root, c.created_at FROM comments c JOIN t ON c.parent_id = t.id
  ), threads AS (
    SELECT root, max(created_at) AS active FROM t GROUP BY root
  ), page AS (
    SELECT root, active, row_number() OVER (ORDER BY active DESC, root DESC) AS n
      FROM threads
     WHERE $2::bigint IS NULL
        OR (active, root) < (timestamptz 'epoch' + $2::bigint * interval '1 millisecond', $3::uuid)
     ORDER BY active DESC, root DESC
     LIMIT $4::int + 1
  )
  SELECT pg.n::int AS n, (extract(epoch FROM pg.active) * 1000)::bigint::text AS "activeMs", pg.root::text AS root,
         c.id::text AS id, c.body, c.score, c.parent_id::text AS "parentId",
         a.id::text AS "authorId", a.name AS "authorName", a.avatar_url AS "authorAvatar",
         floor(extract(epoch FROM c.created_at) * 1000)::bigint::text AS "createdMs",
         floor(extract(epoch FROM c.updated_at) * 1000)::bigint::text AS "updatedMs"
    FROM page pg JOIN t ON t.root = pg.root JOIN comments c ON c.id = t.id JOIN users a ON a.id = c.author_id
   ORDER BY pg.n, c.id = pg.root DESC, c.created_at, c.id`;

/** Up to `limit` threads of a project older than `before` (null: the newest), and where the next page starts. */
export async function loadThreads(
  db: Database,
  projectId: string,
  before: { ms: string; root: string } | null,
  limit: number,
): Promise<LoadedThreads> {
  const rows = await db.prisma.$queryRawUnsafe<
    (Omit<CommentRow, "createdMs" | "updatedMs"> & {
      n: number;
      activeMs: string;
      root: string;
      createdMs: string;
      updatedMs: string;
    })[]
  >(THREADS, projectId, before?.ms ?? null, before?.root ?? null, limit);
  const items: LoadedThreads["items"] = [];
  let last: { activeMs: string; root: string } | null = null;
  let more = false;
  for (const r of rows) {
    if (Number(r.n) > limit) {
      more = true;
      continue;
    }
    const c: CommentRow = {
      id: r.id,
      body: r.body,
      score: Number(r.score),
      parentId: r.parentId,
      authorId: r.authorId,
      authorName: r.authorName,
      authorAvatar: r.authorAvatar,
      createdMs: Number(r.createdMs),
      updatedMs: Number(r.updatedMs),
    };
    if (r.id === r.root) {
      items.push({ root: c, replies: [] });
      last = { activeMs: r.activeMs, root: r.root };
    } else items.at(-1)?.replies.push(c);
  }
  return { items, nextCursor: more && last ? `${last.activeMs}_${last.root}` : null };
}

/**
 * The comments of the project page (everyone's view): its newest threads,
 * flattened, oldest comment first (as the page has always listed them), packed
 * for the cache (comment-entries.ts).
 */
export async function loadDetailComments(db: Database, id: string): Promise<string> {
  const threads = await loadThreads(db, id, null, DETAIL_THREADS);
  const comments = threads.items
    .flatMap((t) => [t.root, ...t.replies])
    .sort((a, b) => a.createdMs - b.createdMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return packComments(comments, null, threads.nextCursor);
}

/** A page of older threads (newest first), packed for the cache with each thread's size. */
export async function loadThreadPage(
  db: Database,
  id: string,
  before: { ms: string; root: string } | null,
  limit: number,
): Promise<string> {
  const page = await loadThreads(db, id, before, limit);
  return packComments(
    page.items.flatMap((t) => [t.root, ...t.replies]),
    page.items.map((t) => 1 + t.replies.length),
    page.nextCursor,
  );
}

/** Summaries of the given projects, in the given order (missing ids are skipped). */
export async function loadSummaries(db: Queries, ids: string[]): Promise<ProjectSummary[]> {
  if (!ids.length) return [];
  const rows = await db.$queryRaw<{ json: string }[]>`
    SELECT COALESCE(json_agg(json_build_object(${Prisma.raw(summaryPairs)}) ORDER BY x.ord), '[]'::json)::text AS json
      FROM unnest(${ids}::uuid[]) WITH ORDINALITY AS x(id, ord)
      JOIN projects p ON p.id = x.id
      JOIN users o ON o.id = p.owner_id`;
  return JSON.parse(rows[0]?.json ?? "[]") as ProjectSummary[];
}

/** One project's summary as a mutation answers it, read in the mutation's transaction. */
export async function loadSummary(tx: Queries, id: string): Promise<ProjectSummary> {
  const [summary] = await loadSummaries(tx, [id]);
  if (!summary) throw new Error(`project ${id} vanished inside its own transaction`);
  return summary;
}
