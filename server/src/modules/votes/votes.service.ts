import type { VoteValue } from "@shared/contracts/common";
import type { VoteResult } from "@shared/contracts/projects";
import type { Freshness } from "../../freshness/pipeline.js";
import { Prisma } from "../../generated/prisma/client.js";
import { notFound } from "../../lib/errors.js";
import type { AuthUser } from "../auth/auth.service.js";

/**
 * Casting, switching and removing project votes, in one statement
 * (`zerostale_vote`, see the vote_functions migration): the counters on
 * `projects` are maintained by the votes trigger, whose row lock serialises
 * concurrent voters on one project for a fraction of a millisecond, so counts
 * always equal the vote rows even in a burst. Voting the same way twice changes
 * nothing and emits nothing. A vote that changed something records its result
 * in the outbox in the same statement (ADR 014).
 */
export class VotesService {
  private readonly statement;

  constructor(freshness: Freshness) {
    this.statement = freshness.defineStatement<{ projectId: string; value: VoteValue }, VoteRow>(
      "vote",
      ({ projectId, value }, row, fx) => {
        const counts = { score: row.score, upvotes: row.upvotes, downvotes: row.downvotes };
        fx.emit(value === 0 ? "vote:removed" : "vote:cast", { projectId, ownerId: row.ownerId, ...counts });
      },
    );
  }

  async vote(user: AuthUser, projectId: string, value: VoteValue): Promise<VoteResult> {
    const row = await this.statement(
      { actorId: user.id },
      { projectId, value },
      Prisma.sql`SELECT found, changed, owner_id::text AS "ownerId", score, upvotes, downvotes
          FROM zerostale_vote(${projectId}::uuid, ${user.id}::uuid, ${value}::int)`,
      Prisma.sql`r.changed`,
    );
    if (!row?.found) throw notFound("Project");
    return { projectId, myVote: value, score: row.score, upvotes: row.upvotes, downvotes: row.downvotes };
  }
}

interface VoteRow {
  found: boolean;
  changed: boolean;
  ownerId: string;
  score: number;
  upvotes: number;
  downvotes: number;
}
