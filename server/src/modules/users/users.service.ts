import type { Me } from "@shared/contracts/auth";
import type { Profile, UpdateProfileBody } from "@shared/contracts/users";
import { R } from "@shared/realtime/resources";
import type { Cache } from "../../cache/cache.js";
import type { Database, Tx } from "../../db/database.js";
import type { Freshness } from "../../freshness/pipeline.js";
import { badRequest, notFound } from "../../lib/errors.js";
import type { AuthUser } from "../auth/auth.service.js";
import { loadSummaries } from "../projects/projects.sql.js";
import { toMe, toPublicUser } from "./users.mappers.js";

export class UsersService {
  constructor(
    private readonly db: Database,
    private readonly cache: Cache,
    private readonly freshness: Freshness,
  ) {}

  /**
   * The public profile as JSON: no email, no private activity. The shared
   * entry holds what everyone sees; whether the caller follows the user is
   * read per request (one primary-key probe) and never cached for anyone else.
   */
  async profileJson(id: string, viewer: AuthUser | null): Promise<string> {
    const json = await this.cache.read(`profile:${id}`, [R.profile(id)], () => this.loadProfile(id));
    if (json === "null") throw notFound("User");
    let followedByMe = false;
    if (viewer && viewer.id !== id) {
      const rows = await this.db.prisma.$queryRaw<unknown[]>`
        SELECT 1 FROM follows WHERE follower_id = ${viewer.id}::uuid AND followee_id = ${id}::uuid`;
      followedByMe = rows.length > 0;
    }
    return `{"followedByMe":${followedByMe},${json.slice(1)}`;
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
          this.db.prisma,
          rows.map((r) => r.id),
        ),
      ),
      this.db.prisma.$queryRaw<{ comments: number; badges: number; followers: number; following: number }[]>`
        SELECT (SELECT count(*) FROM comments WHERE author_id = ${id}::uuid)::int AS comments,
               (SELECT count(*) FROM follows WHERE followee_id = ${id}::uuid)::int AS followers,
               (SELECT count(*) FROM follows WHERE follower_id = ${id}::uuid)::int AS following,
               (SELECT count(*) FROM badges b JOIN projects p ON p.id = b.project_id
                 WHERE p.owner_id = ${id}::uuid)::int AS badges`,
    ]);
    const profile: Omit<Profile, "followedByMe"> = {
      ...toPublicUser(user),
      followers: Number(stats[0]?.followers ?? 0),
      following: Number(stats[0]?.following ?? 0),
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
      fx.emit("profile:updated", { userId: user.id, name: u.name, avatarUrl: u.avatarUrl });
      return toMe(u);
    });
  }
}

/**
 * The other person of a private exchange (an intro, a message), read in the
 * writer's transaction: never the writer themselves (400 on `toUserId`), and
 * someone who exists (404).
 */
export async function referenceOtherUser(tx: Tx, me: AuthUser, otherId: string, selfMessage: string) {
  if (otherId === me.id) throw badRequest(selfMessage, [{ path: "toUserId", message: "is you" }]);
  const other = await tx.user.findUnique({ where: { id: otherId }, select: { id: true } });
  if (!other) throw notFound("User");
}
