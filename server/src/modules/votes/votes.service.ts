import type { VoteValue } from "@shared/contracts/common";
import type { VoteResult } from "@shared/contracts/projects";
import type { Freshness } from "../../freshness/pipeline.js";
import { notFound } from "../../lib/errors.js";
import type { AuthUser } from "../auth/auth.service.js";

/**
 * Casting, switching and removing project votes, in one statement
 * (`zerostale_vote`, see the vote_functions migration): the counters on
 * `projects` are maintained by the votes trigger, whose row lock serialises
 * concurrent voters on one project for a fraction of a millisecond, so counts
 * always equal the vote rows even in a burst. Voting the same way twice changes
 * nothing and emits nothing.
 */
export class VotesService {
  constructor(private readonly freshness: Freshness) {}

  async vote(user: AuthUser, projectId: string, value: VoteValue): Promise<VoteResult> {
    return this.freshness.mutateInStatement({ actorId: user.id }, async (db, fx) => {
      const [row] = await db.$queryRaw<
        { found: boolean; changed: boolean; ownerId: string; score: number; upvotes: number; downvotes: number }[]
      >`SELECT found, changed, owner_id::text AS "ownerId", score, upvotes, downvotes
          FROM zerostale_vote(${projectId}::uuid, ${user.id}::uuid, ${value}::int)`;
      if (!row?.found) throw notFound("Project");
      const counts = { score: row.score, upvotes: row.upvotes, downvotes: row.downvotes };
      if (row.changed)
        fx.emit(value === 0 ? "vote:removed" : "vote:cast", { projectId, ownerId: row.ownerId, ...counts });
      return { projectId, myVote: value, ...counts };
    });
  }
}
