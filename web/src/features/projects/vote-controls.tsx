import type { VoteValue } from "@shared/contracts/common";

import { useLocation, useNavigate } from "react-router";
import { useFlash } from "../../components/use-flash";
import { loginHref } from "../../lib/urls";
import { useVoteProject } from "./projects.queries";

export interface VoteTarget {
  id: string;
  title: string;
  score: number;
  upvotes: number;
  downvotes: number;
  myVote: VoteValue;
}

/**
 * Upvote / Downvote with the viewer's vote shown as pressed; pressing it again
 * takes the vote back. The same control (and optimistic update) on the project
 * page and on feed cards (`compact`).
 */
export function VoteControls({
  project,
  signedIn,
  compact = false,
}: {
  project: VoteTarget;
  signedIn: boolean;
  compact?: boolean;
}) {
  const vote = useVoteProject(project.id);
  const flash = useFlash(project.score);
  const navigate = useNavigate();
  const location = useLocation();
  const cast = (value: VoteValue) => {
    if (!signedIn) {
      navigate(loginHref(location.pathname));
      return;
    }
    vote.mutate(project.myVote === value ? 0 : value);
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of toggle buttons, not a form fieldset
    <div
      className={`vote${compact ? " vote-compact" : ""}${vote.isPaused ? " is-pending" : ""}`}
      role="group"
      aria-label={compact ? `Vote on ${project.title}` : "Vote on this project"}
    >
      <button
        type="button"
        className="vote-btn vote-up"
        aria-pressed={project.myVote === 1}
        onClick={() => cast(1)}
        title={project.myVote === 1 ? "Remove your upvote" : "Upvote"}
      >
        <span aria-hidden="true">▲</span> Upvote
      </button>
      <div className="vote-score">
        <span className={`vote-score-value ${flash}`} data-testid="score">
          {project.score}
        </span>
        <span className="sr-only"> points</span>
        <span className="vote-score-detail">
          {project.upvotes} up · {project.downvotes} down
        </span>
      </div>
      <button
        type="button"
        className="vote-btn vote-down"
        aria-pressed={project.myVote === -1}
        onClick={() => cast(-1)}
        title={project.myVote === -1 ? "Remove your downvote" : "Downvote"}
      >
        <span aria-hidden="true">▼</span> Downvote
      </button>
      {vote.isPaused ? (
        <p className="pending-note" role="status" data-testid="vote-pending">
          Offline: your vote will be sent when the connection is back
        </p>
      ) : null}
    </div>
  );
}
