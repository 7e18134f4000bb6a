import type { FeedItem, ProjectSummary } from "@shared/contracts/projects";
import { useId, useMemo } from "react";
import { Link } from "react-router";
import { Avatar } from "../../components/avatar";
import { RelativeTime } from "../../components/relative-time";
import { useFlash } from "../../components/use-flash";
import { markdownToText } from "../../lib/markdown-text";
import { useMe } from "../auth/auth.queries";
import { BadgeList, FeaturedMark, TagList } from "./badge-list";
import { VoteControls } from "./vote-controls";

/**
 * One project in a list: everything a glance needs, all of it live. Feed items
 * carry the viewer's vote, and can be voted on right there.
 */
export function ProjectCard({ project, rank }: { project: ProjectSummary | FeedItem; rank?: number }) {
  const titleId = useId();
  const me = useMe();
  const description = useMemo(() => markdownToText(project.description), [project.description]);
  const titleFlash = useFlash(project.title);
  const commentsFlash = useFlash(project.commentCount);
  return (
    <article
      className={`project-card${project.featured ? " is-featured" : ""}`}
      aria-labelledby={titleId}
      data-flip-id={project.id}
    >
      {"myVote" in project ? (
        <VoteControls project={project} signedIn={!!me.data} compact />
      ) : (
        <ScoreBox project={project} />
      )}
      <div className="project-card-body">
        <div className="project-card-head">
          {rank !== undefined ? <span className="rank">#{rank}</span> : null}
          <h2 className={`project-card-title ${titleFlash}`} id={titleId}>
            <Link to={`/projects/${project.id}`}>{project.title}</Link>
          </h2>
          {project.featured ? <FeaturedMark /> : null}
        </div>
        {project.description ? <p className="project-card-desc">{description}</p> : null}
        <div className="project-card-meta">
          <Link to={`/users/${project.owner.id}`} className="owner">
            <Avatar user={project.owner} size={20} />
            <span>{project.owner.name}</span>
          </Link>
          <span className="dot" aria-hidden="true">
            ·
          </span>
          <RelativeTime iso={project.createdAt} />
          <span className="dot" aria-hidden="true">
            ·
          </span>
          <Link to={`/projects/${project.id}#comments`} className="comment-count">
            <span data-testid="comment-count" className={commentsFlash}>
              {project.commentCount}
            </span>{" "}
            {project.commentCount === 1 ? "comment" : "comments"}
          </Link>
        </div>
        {project.tags.length || project.badges.length ? (
          <div className="project-card-tags">
            <BadgeList badges={project.badges} />
            <TagList tags={project.tags} />
          </div>
        ) : null}
      </div>
    </article>
  );
}

function ScoreBox({ project }: { project: ProjectSummary }) {
  const scoreFlash = useFlash(project.score);
  return (
    <div className="score-box" title={`${project.upvotes} up, ${project.downvotes} down`}>
      <span className="score-arrow" aria-hidden="true">
        ▲
      </span>
      <span className={`score-value ${scoreFlash}`} data-testid="score">
        {project.score}
      </span>
      <span className="score-label">points</span>
    </div>
  );
}
