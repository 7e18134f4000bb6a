import type { FeedOrder, FeedQuery, FeedSort, TagCount } from "@shared/contracts/projects";
import type { Leaderboard } from "@shared/contracts/users";
import { R } from "@shared/realtime/resources";
import type { Cache } from "../../cache/cache.js";
import type { Database } from "../../db/database.js";
import { unauthorized } from "../../lib/errors.js";
import type { AuthUser } from "../auth/auth.service.js";
import { loadSummaries } from "../projects/projects.sql.js";

const LEADERBOARD_SIZE = 10;
const TAG_LIST_SIZE = 100;
const TRENDING_TTL_SECONDS = 60;

/**
 * `trending` ranks by votes decayed with age, Hacker News style:
 * (score + 1) / (hours + 2)^1.5 (ADR 007). Its order also moves with time alone,
 * so its order entries are tagged like the others and additionally short-lived.
 * `relevance` (searches only) is full-text rank, computed in `searchOrder`.
 */
const ORDER = {
  newest: "p.created_at DESC, p.id DESC",
  top: "p.score DESC, p.created_at DESC, p.id DESC",
  trending:
    // In double precision: extract() gives numeric, whose power() cost 18 ms on a tag page's 334 rows.
    // Age clamped at 0: a created_at in the future (an outside write, clock skew) is new, not an error.
    "(p.score + 1) / power(greatest(extract(epoch FROM (now() - p.created_at))::float8, 0) / 3600 + 2, 1.5) DESC, p.created_at DESC, p.id DESC",
} as const;

/**
 * The user's words as a tsquery: parsed by plainto_tsquery (which reads words
 * only: quotes, `&`, `|`, `!`, `<->`, `:*` and parentheses are separators,
 * never operators), then each word made a prefix (`post` finds `postgres`).
 * Text without any word gives NULL, which matches nothing.
 */
const SEARCH_QUERY = `NULLIF(regexp_replace(plainto_tsquery('simple', $1::text)::text, '''(\\s|$)', ''':*\\1', 'g'), '')::tsquery`;

interface Order {
  ids: string[];
  total: number;
}

/** A maker's projects as the following feed orders them: [id, created (epoch ms), score]. */
type MakerEntry = [string, number, number];

export class FeedService {
  constructor(
    private readonly db: Database,
    private readonly cache: Cache,
  ) {}

  /**
   * A feed page: its order (ids and the total) and one cached summary per
   * project (which changes with that project only: an edit, a comment or a
   * badge costs one summary load, not a reload of every page of every sort),
   * plus the caller's own votes, read per request.
   *
   * Orders: the plain feed's are cached (creations, deletions and — for `top`
   * and `trending` — votes move them); searches and tag pages are ranked by
   * the database on every read; the following feed is composed from per-maker
   * lists (ADR 015).
   */
  async feedJson(q: FeedQuery, viewer: AuthUser | null): Promise<string> {
    if (q.following && !viewer) throw unauthorized("Sign in to see the makers you follow");
    const sort: FeedOrder = q.sort ?? (q.q ? "relevance" : "trending");
    let order: Order;
    if (q.q !== undefined || q.tag !== undefined) order = await this.searchOrder(q, sort, viewer);
    else if (q.following && viewer) order = await this.followingOrder(viewer.id, sort as FeedSort, q);
    else order = await this.feedOrder(sort as FeedSort, q);
    const items = await this.withMyVotes(await this.summariesJson(order.ids), viewer);
    return `{"items":[${items.join(",")}],"page":${q.page},"pageSize":${q.pageSize},"total":${order.total},"sort":${JSON.stringify(sort)}}`;
  }

  private async feedOrder(sort: FeedSort, q: FeedQuery): Promise<Order> {
    const order = await this.cache.read(
      `feed-order:${sort}:${q.page}:${q.pageSize}`,
      sort === "newest" ? [R.catalog] : [R.catalog, R.ranking],
      async () => {
        const [ids, total] = await Promise.all([
          this.db.prisma.$queryRawUnsafe<{ id: string }[]>(
            `SELECT p.id::text FROM projects p ORDER BY ${ORDER[sort]} LIMIT $1 OFFSET $2`,
            q.pageSize,
            (q.page - 1) * q.pageSize,
          ),
          this.db.prisma.project.count(),
        ]);
        return JSON.stringify({ ids: ids.map((r) => r.id), total });
      },
      sort === "trending" ? { ttlSeconds: TRENDING_TTL_SECONDS } : {},
    );
    return JSON.parse(order) as Order;
  }

  /**
   * Search, tag and (combined with them) following filters, ranked by the
   * database on every read: a parametrised order has no single resource to
   * tag, and the GIN indexes answer within milliseconds (ADR 015, bench
   * `search`). The words are a bind parameter, never SQL or tsquery syntax.
   */
  private async searchOrder(q: FeedQuery, sort: FeedOrder, viewer: AuthUser | null): Promise<Order> {
    const where: string[] = [];
    if (q.q !== undefined) where.push("p.search_document @@ s.query");
    if (q.tag !== undefined) where.push("p.tags @> ARRAY[s.tag]");
    if (q.following && viewer)
      where.push("p.owner_id IN (SELECT f.followee_id FROM follows f WHERE f.follower_id = s.me)");
    // Without words, relevance has nothing to rank: newest first.
    const ranked = sort === "relevance" && q.q !== undefined;
    const orderBy = ranked
      ? "p.rank DESC, p.created_at DESC, p.id DESC"
      : ORDER[sort === "relevance" ? "newest" : sort];
    // Every parameter is typed here, whichever filters use it.
    const from = `FROM projects p CROSS JOIN (SELECT ${SEARCH_QUERY} AS query, $2::text AS tag, $3::uuid AS me) s WHERE ${where.join(" AND ")}`;
    const params = [q.q ?? "", q.tag ?? "", viewer?.id ?? null];
    // One scan for the page and the total; past the last page, a count of its own.
    // The matches are materialised first: the total needs all of them anyway, and
    // otherwise the planner walks the created_at index for the LIMIT and filters
    // every project on the way (a tag page: 6.5 ms on 10,000 projects, 2.2 ms
    // through the GIN index and a sort of the few hundred that match).
    const rows = await this.db.prisma.$queryRawUnsafe<{ id: string; total: number }[]>(
      `WITH m AS MATERIALIZED (SELECT p.id, p.created_at, p.score, ${ranked ? "ts_rank(p.search_document, s.query)" : "0"} AS rank ${from})
       SELECT p.id::text, count(*) OVER ()::int AS total FROM m p ORDER BY ${orderBy} LIMIT $4 OFFSET $5`,
      ...params,
      q.pageSize,
      (q.page - 1) * q.pageSize,
    );
    if (rows.length) return { ids: rows.map((r) => r.id), total: Number(rows[0]!.total) };
    const count = await this.db.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n ${from}`, ...params);
    return { ids: [], total: Number(count[0]?.n ?? 0) };
  }

  /**
   * The following feed, composed at read time (ADR 015): whom the caller
   * follows (read from the database: one primary-key range), then one cached
   * list per maker (tag `profile:<maker>`, which the maker's creations, edits,
   * deletions and the votes on their projects move), merged and paged here.
   * A maker posting moves one generation, however many follow them.
   */
  private async followingOrder(userId: string, sort: FeedSort, q: FeedQuery): Promise<Order> {
    const makers = (
      await this.db.prisma.$queryRaw<{ id: string }[]>`
        SELECT followee_id::text AS id FROM follows WHERE follower_id = ${userId}::uuid`
    ).map((r) => r.id);
    const lists = await this.cache.readEach(
      makers.map((m) => ({ name: `maker-projects:${m}`, tags: [R.profile(m)] })),
      async (missing) => {
        const wanted = missing.map((i) => makers[i]!);
        const rows = await this.db.prisma.$queryRaw<{ owner: string; list: string }[]>`
          SELECT p.owner_id::text AS owner,
                 json_agg(json_build_array(p.id, floor(extract(epoch FROM p.created_at) * 1000), p.score))::text AS list
            FROM projects p WHERE p.owner_id = ANY(${wanted}::uuid[]) GROUP BY p.owner_id`;
        const byOwner = new Map(rows.map((r) => [r.owner, r.list]));
        return wanted.map((m) => byOwner.get(m) ?? "[]");
      },
    );
    const entries = lists.flatMap((l) => JSON.parse(l) as MakerEntry[]);
    const now = Date.now();
    const trending = (e: MakerEntry) => (e[2] + 1) / (Math.max(0, now - e[1]) / 3_600_000 + 2) ** 1.5;
    const newest = (a: MakerEntry, b: MakerEntry) => b[1] - a[1] || (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0);
    entries.sort(
      sort === "newest"
        ? newest
        : sort === "top"
          ? (a, b) => b[2] - a[2] || newest(a, b)
          : (a, b) => trending(b) - trending(a) || newest(a, b),
    );
    const start = (q.page - 1) * q.pageSize;
    return { ids: entries.slice(start, start + q.pageSize).map((e) => e[0]), total: entries.length };
  }

  /** Each item with the caller's own vote (0 when anonymous): one indexed read, never cached for anyone else. */
  private async withMyVotes(items: { id: string; json: string }[], viewer: AuthUser | null): Promise<string[]> {
    let mine = new Map<string, number>();
    if (viewer && items.length) {
      const rows = await this.db.prisma.$queryRaw<{ id: string; value: number }[]>`
        SELECT project_id::text AS id, value::int AS value FROM votes
         WHERE user_id = ${viewer.id}::uuid AND project_id = ANY(${items.map((i) => i.id)}::uuid[])`;
      mine = new Map(rows.map((r) => [r.id, Number(r.value)]));
    }
    return items.map((i) => `{"myVote":${mine.get(i.id) ?? 0},${i.json.slice(1)}`);
  }

  /** Tags by how many projects carry them, most used first (ties alphabetically). */
  async tagsJson(): Promise<string> {
    return this.cache.read("tags", [R.tags], async () => {
      const rows = await this.db.prisma.$queryRaw<TagCount[]>`
        SELECT t AS tag, count(*)::int AS count
          FROM projects p CROSS JOIN LATERAL unnest(p.tags) AS t
         GROUP BY t ORDER BY count(*) DESC, t ASC LIMIT ${TAG_LIST_SIZE}`;
      return JSON.stringify(rows.map((r) => ({ tag: r.tag, count: Number(r.count) })));
    });
  }

  /** Ranked projects (order + summaries, as the feed) and makers (names, scores, badge counts). */
  async leaderboardJson(): Promise<string> {
    const [order, makers] = await Promise.all([
      this.cache.read("leaderboard:projects", [R.catalog, R.ranking], async () => {
        const top = await this.db.prisma.$queryRawUnsafe<{ id: string }[]>(
          `SELECT p.id::text FROM projects p ORDER BY ${ORDER.top} LIMIT $1`,
          LEADERBOARD_SIZE,
        );
        return JSON.stringify(top.map((r) => r.id));
      }),
      this.cache.read("leaderboard:makers", [R.leaderboard], () => this.loadMakers()),
    ]);
    const items = await this.summariesJson(JSON.parse(order) as string[]);
    const projects = items.map((project, i) => `{"rank":${i + 1},"project":${project.json}}`);
    return `{"projects":[${projects.join(",")}],"makers":${makers}}`;
  }

  private async loadMakers(): Promise<string> {
    const makers = await this.db.prisma.$queryRaw<
      {
        id: string;
        name: string;
        avatarUrl: string | null;
        projectCount: number;
        totalScore: number;
        badgeCount: number;
      }[]
    >`
      SELECT u.id::text, u.name, u.avatar_url AS "avatarUrl",
             count(p.id)::int AS "projectCount",
             COALESCE(sum(p.score), 0)::int AS "totalScore",
             (SELECT count(*) FROM badges b JOIN projects bp ON bp.id = b.project_id WHERE bp.owner_id = u.id)::int AS "badgeCount"
        FROM users u JOIN projects p ON p.owner_id = u.id
       GROUP BY u.id
       ORDER BY "totalScore" DESC, "badgeCount" DESC, "projectCount" DESC, u.name ASC, u.id ASC
       LIMIT ${LEADERBOARD_SIZE}`;
    const board: Leaderboard["makers"] = makers.map((m, i) => ({
      rank: i + 1,
      user: { id: m.id, name: m.name, avatarUrl: m.avatarUrl },
      projectCount: Number(m.projectCount),
      totalScore: Number(m.totalScore),
      badgeCount: Number(m.badgeCount),
    }));
    return JSON.stringify(board);
  }

  /** One cached summary per project (tag `project:<id>`), the misses loaded in one statement; JSON text each. */
  private async summariesJson(ids: string[]): Promise<{ id: string; json: string }[]> {
    const values = await this.cache.readEach(
      ids.map((id) => ({ name: `summary:${id}`, tags: [R.project(id)] })),
      async (missing) => {
        const loaded = new Map(
          (
            await loadSummaries(
              this.db.prisma,
              missing.map((i) => ids[i]!),
            )
          ).map((p) => [p.id, p]),
        );
        return missing.map((i) => JSON.stringify(loaded.get(ids[i]!) ?? null));
      },
    );
    // A project deleted between the order and its summary is left out.
    return values.map((json, i) => ({ id: ids[i]!, json })).filter((v) => v.json !== "null");
  }
}
