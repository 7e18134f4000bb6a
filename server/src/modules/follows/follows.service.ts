import type { FollowResult } from "@shared/contracts/notifications";
import type { Tx } from "../../db/database.js";
import type { Freshness } from "../../freshness/pipeline.js";
import { badRequest, notFound } from "../../lib/errors.js";
import type { AuthUser } from "../auth/auth.service.js";
import { notify } from "../notifications/notifications.writer.js";

/** Following makers. Both directions are idempotent: doing it twice changes nothing and emits nothing. */
export class FollowsService {
  constructor(private readonly freshness: Freshness) {}

  async follow(user: AuthUser, followeeId: string): Promise<FollowResult> {
    notSelf(user, followeeId);
    return this.freshness.mutate({ actorId: user.id }, async (tx, fx) => {
      await referenceUser(tx, followeeId);
      const inserted = await tx.$executeRaw`
        INSERT INTO follows (follower_id, followee_id) VALUES (${user.id}::uuid, ${followeeId}::uuid)
        ON CONFLICT DO NOTHING`;
      const followers = await followerCount(tx, followeeId);
      if (inserted) {
        fx.emit("follow:created", { followerId: user.id, followeeId, followers });
        await notify(tx, fx, { userId: followeeId, kind: "follow", actorId: user.id });
      }
      return { followerId: user.id, followeeId, following: true, followers };
    });
  }

  async unfollow(user: AuthUser, followeeId: string): Promise<FollowResult> {
    notSelf(user, followeeId);
    return this.freshness.mutate({ actorId: user.id }, async (tx, fx) => {
      await referenceUser(tx, followeeId);
      const deleted = await tx.$executeRaw`
        DELETE FROM follows WHERE follower_id = ${user.id}::uuid AND followee_id = ${followeeId}::uuid`;
      const followers = await followerCount(tx, followeeId);
      if (deleted) fx.emit("follow:removed", { followerId: user.id, followeeId, followers });
      return { followerId: user.id, followeeId, following: false, followers };
    });
  }
}

function notSelf(user: AuthUser, id: string) {
  if (user.id === id) throw badRequest("You cannot follow yourself", [{ path: "id", message: "is you" }]);
}

/** The key-share lock keeps the followee from being deleted before the follow commits. */
async function referenceUser(tx: Tx, id: string) {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM users WHERE id = ${id}::uuid FOR KEY SHARE`;
  if (!rows.length) throw notFound("User");
}

async function followerCount(tx: Tx, id: string): Promise<number> {
  const [r] = await tx.$queryRaw<
    { n: number }[]
  >`SELECT count(*)::int AS n FROM follows WHERE followee_id = ${id}::uuid`;
  return Number(r?.n ?? 0);
}
