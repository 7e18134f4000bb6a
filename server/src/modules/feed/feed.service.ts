import type { FeedPage, FeedQuery } from "@shared/contracts/projects";
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
 * so its cache entries are tagged like the others and additionally short-lived.
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

  async feedJson(q: FeedQuery): Promise<string> {
    return this.cache.read(
      `feed:${q.sort}:${q.page}:${q.pageSize}`,
      [R.feed],
      async () => {
        const offset = (q.page - 1) * q.pageSize;
        const [ids, total] = await Promise.all([
          this.db.prisma.$queryRawUnsafe<{ id: string }[]>(
            `SELECT p.id::text FROM projects p ORDER BY ${ORDER[q.sort]} LIMIT $1 OFFSET $2`,
            q.pageSize,
            offset,
          ),
          this.db.prisma.project.count(),
        ]);
        const items = await this.hydrate(ids.map((r) => r.id));
        const page: FeedPage = { items, page: q.page, pageSize: q.pageSize, total, sort: q.sort };
        return JSON.stringify(page);
      },
      q.sort === "trending" ? { ttlSeconds: TRENDING_TTL_SECONDS } : {},
    );
  }

  async leaderboardJson(): Promise<string> {
    return this.cache.read("leaderboard", [R.leaderboard], async () => {
      const [top, makers] = await Promise.all([
        this.db.prisma.$queryRawUnsafe<{ id: string }[]>(
          `SELECT p.id::text FROM projects p ORDER BY ${ORDER.top} LIMIT $1`,
          LEADERBOARD_SIZE,
        ),
        this.db.prisma.$queryRaw<
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
           LIMIT ${LEADERBOARD_SIZE}`,
      ]);
      const projects = await this.hydrate(top.map((r) => r.id));
      const board: Leaderboard = {
        projects: projects.map((project, i) => ({ rank: i + 1, project })),
        makers: makers.map((m, i) => ({
          rank: i + 1,
          user: { id: m.id, name: m.name, avatarUrl: m.avatarUrl },
          projectCount: Number(m.projectCount),
          totalScore: Number(m.totalScore),
          badgeCount: Number(m.badgeCount),
        })),
      };
      return JSON.stringify(board);
    });
  }

  /** Loads summaries for ids, keeping their order. */
  private hydrate(ids: string[]) {
    return loadSummaries(this.db, ids);
  }
}
