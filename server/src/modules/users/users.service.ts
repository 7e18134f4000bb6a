import type { Me } from "@shared/contracts/auth";
import type { Profile, UpdateProfileBody } from "@shared/contracts/users";
import { R } from "@shared/realtime/resources";
import type { Cache } from "../../cache/cache.js";
import type { Database } from "../../db/database.js";
import type { Freshness } from "../../freshness/pipeline.js";
import { notFound } from "../../lib/errors.js";
import type { AuthUser } from "../auth/auth.service.js";
import { loadSummaries } from "../projects/projects.sql.js";
import { toMe, toPublicUser } from "./users.mappers.js";

export class UsersService {
  constructor(
    private readonly db: Database,
    private readonly cache: Cache,
    private readonly freshness: Freshness,
  ) {}

  /** The public profile as JSON: no email, no private activity. */
  async profileJson(id: string): Promise<string> {
    const json = await this.cache.read(`profile:${id}`, [R.profile(id)], () => this.loadProfile(id));
    if (json === "null") throw notFound("User");
    return json;
  }

  private async loadProfile(id: string): Promise<string> {
    const user = await this.db.prisma.user.findUnique({
      where: { id },
      select: { id: true, name: true, bio: true, avatarUrl: true, role: true, createdAt: true },
    });
    if (!user) return "null";
    const [projects, stats] = await Promise.all([
      this.db.prisma.$queryRaw<{ id: string }[]>`
        SELECT id::text FROM projects WHERE owner_id = ${id}::uuid ORDER BY created_at DESC, id DESC`.then((rows) =>
        loadSummaries(
          this.db,
          rows.map((r) => r.id),
        ),
      ),
      this.db.prisma.$queryRaw<{ comments: number; badges: number }[]>`
        SELECT (SELECT count(*) FROM comments WHERE author_id = ${id}::uuid)::int AS comments,
               (SELECT count(*) FROM badges b JOIN projects p ON p.id = b.project_id
                 WHERE p.owner_id = ${id}::uuid)::int AS badges`,
    ]);
    const profile: Profile = {
      ...toPublicUser(user),
      projects,
      stats: {
        projects: projects.length,
        totalScore: projects.reduce((s, p) => s + p.score, 0),
        upvotes: projects.reduce((s, p) => s + p.upvotes, 0),
        comments: Number(stats[0]?.comments ?? 0),
        badges: Number(stats[0]?.badges ?? 0),
      },
    };
    return JSON.stringify(profile);
  }

  async me(user: AuthUser): Promise<Me | null> {
    const u = await this.db.prisma.user.findUnique({ where: { id: user.id } });
    return u ? toMe(u) : null;
  }

  async update(user: AuthUser, input: UpdateProfileBody): Promise<Me> {
    return this.freshness.mutate({ actorId: user.id }, async (tx, fx) => {
      const u = await tx.user.update({
        where: { id: user.id },
        data: {
          ...(input.name !== undefined && { name: input.name }),
          ...(input.bio !== undefined && { bio: input.bio }),
          ...(input.avatarUrl !== undefined && { avatarUrl: input.avatarUrl }),
        },
      });
      fx.emit("profile:updated", { userId: user.id });
      return toMe(u);
    });
  }
}
