import type { VoteValue } from "@shared/contracts/common";
import type { VoteResult } from "@shared/contracts/projects";
import type { Freshness } from "../../freshness/pipeline.js";
import { notFound } from "../../lib/errors.js";
import type { AuthUser } from "../auth/auth.service.js";
import { referenceProject } from "../projects/projects.service.js";

/**
 * Casting, switching and removing project votes. The counters on `projects`
 * are maintained by the votes trigger in the same transaction; the row lock it
 * takes serialises concurrent voters on one project, so counts always equal
 * the vote rows. Voting the same way twice changes nothing and emits nothing.
 */
export class VotesService {
  constructor(private readonly freshness: Freshness) {}

  async vote(user: AuthUser, projectId: string, value: VoteValue): Promise<VoteResult> {
    return this.freshness.mutate({ actorId: user.id }, async (tx, fx) => {
      const { ownerId } = await referenceProject(tx, projectId);
      const changed =
        value === 0
          ? await tx.$executeRaw`DELETE FROM votes WHERE project_id = ${projectId}::uuid AND user_id = ${user.id}::uuid`
          : await tx.$executeRaw`
              INSERT INTO votes (project_id, user_id, value) VALUES (${projectId}::uuid, ${user.id}::uuid, ${value}::smallint)
              ON CONFLICT (project_id, user_id) DO UPDATE SET value = EXCLUDED.value
              WHERE votes.value IS DISTINCT FROM EXCLUDED.value`;
      const rows = await tx.$queryRaw<{ score: number; upvotes: number; downvotes: number }[]>`
        SELECT score, upvotes, downvotes FROM projects WHERE id = ${projectId}::uuid`;
      const counts = rows[0];
      if (!counts) throw notFound("Project");
      if (changed > 0) fx.emit(value === 0 ? "vote:removed" : "vote:cast", { projectId, ownerId, ...counts });
      return { projectId, myVote: value, ...counts };
    });
  }
}
