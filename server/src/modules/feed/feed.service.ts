import type { FeedQuery } from "@shared/contracts/projects";
import type { Leaderboard } from "@shared/contracts/users";
import { R } from "@shared/realtime/resources";
import type { Cache } from "../../cache/cache.js";
import type { Database } from "../../db/database.js";
import { loadSummaries } from "../projects/projects.sql.js";

const LEADERBOARD_SIZE = 10;
const TRENDING_TTL_SECONDS = 60;

/**
 * `trending` ranks by votes decayed with age, Hacker News style:
 * (score + 1) / (hours + 2)^1.5 (ADR 007). Its order also moves with time alone,
 * so its order entries are tagged like the others and additionally short-lived.
 */
const ORDER = {
  newest: "p.created_at DESC, p.id DESC",
  top: "p.score DESC, p.created_at DESC, p.id DESC",
  trending:
    "(p.score + 1) / power(extract(epoch FROM (now() - p.created_at)) / 3600 + 2, 1.5) DESC, p.created_at DESC, p.id DESC",
} as const;

export class FeedService {
  constructor(
    private readonly db: Database,
    private readonly cache: Cache,
  ) {}

  /**
   * A feed page, composed of two kinds of cache entries: the page's order (ids
   * and the total, which only creations, deletions and — for `top` and
   * `trending` — votes change) and one summary per project (which changes with
   * that project only). An edit, a comment or a badge then costs one summary
   * load, not a reload of every page of every sort.
   */
  async feedJson(q: FeedQuery): Promise<string> {
    const order = await this.cache.read(
      `feed-order:${q.sort}:${q.page}:${q.pageSize}`,
      q.sort === "newest" ? [R.catalog] : [R.catalog, R.ranking],
      async () => {
        const [ids, total] = await Promise.all([
          this.db.prisma.$queryRawUnsafe<{ id: string }[]>(
            `SELECT p.id::text FROM projects p ORDER BY ${ORDER[q.sort]} LIMIT $1 OFFSET $2`,
            q.pageSize,
            (q.page - 1) * q.pageSize,
          ),
          this.db.prisma.project.count(),
        ]);
        return JSON.stringify({ ids: ids.map((r) => r.id), total });
      },
      q.sort === "trending" ? { ttlSeconds: TRENDING_TTL_SECONDS } : {},
    );
    const { ids, total } = JSON.parse(order) as { ids: string[]; total: number };
    const items = await this.summariesJson(ids);
    return `{"items":[${items.join(",")}],"page":${q.page},"pageSize":${q.pageSize},"total":${total},"sort":${JSON.stringify(q.sort)}}`;
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
    const projects = items.map((project, i) => `{"rank":${i + 1},"project":${project}}`);
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
  private async summariesJson(ids: string[]): Promise<string[]> {
    const values = await this.cache.readEach(
      ids.map((id) => ({ name: `summary:${id}`, tags: [R.project(id)] })),
      async (missing) => {
        const loaded = new Map(
          (
            await loadSummaries(
              this.db,
              missing.map((i) => ids[i]!),
            )
          ).map((p) => [p.id, p]),
        );
        return missing.map((i) => JSON.stringify(loaded.get(ids[i]!) ?? null));
      },
    );
    // A project deleted between the order and its summary is left out.
    return values.filter((v) => v !== "null");
  }
}
