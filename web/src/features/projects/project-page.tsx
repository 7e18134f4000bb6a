import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { Avatar } from "../../components/avatar";
import { Markdown } from "../../components/markdown";
import { RelativeTime } from "../../components/relative-time";
import { EmptyState, ErrorState, Skeleton } from "../../components/states";
import { toast } from "../../components/toast-store";
import { useDocumentTitle } from "../../components/use-document-title";
import { useFlash } from "../../components/use-flash";
import { ApiError, errorMessage } from "../../lib/api-client";
import { useProjectRoom } from "../../lib/realtime-link";
import { isHttp } from "../../lib/urls";
import { useMe } from "../auth/auth.queries";
import { CommentsSection } from "../comments/comment-thread";
import { RequestIntroButton } from "../intros/request-intro";
import { FollowButton } from "../users/follow-button";
import { AdminControls } from "./admin-controls";
import { BadgeList, FeaturedMark, TagList } from "./badge-list";
import { projectQueryOptions, useDeleteProject } from "./projects.queries";
import { VoteControls } from "./vote-controls";

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

function DeleteProject({ id }: { id: string }) {
  const [confirming, setConfirming] = useState(false);
  const remove = useDeleteProject(id);
  const navigate = useNavigate();
  if (!confirming)
    return (
      <button type="button" className="btn btn-danger-outline" onClick={() => setConfirming(true)}>
        Delete project
      </button>
    );
  return (
    <div className="confirm-box" role="alert">
      <p>Delete this project, its votes and comments? This cannot be undone.</p>
      <div className="form-actions">
        <button type="button" className="btn btn-ghost" onClick={() => setConfirming(false)}>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn-danger"
          disabled={remove.isPending}
          onClick={() =>
            remove.mutate(undefined, {
              onSuccess: () => {
                toast.success("Project deleted");
                navigate("/", { replace: true });
              },
              onError: (err) => toast.error(errorMessage(err)),
            })
          }
        >
          Yes, delete
        </button>
      </div>
    </div>
  );
}

export function ProjectPage() {
  const id = (useParams().id ?? "").toLowerCase();
  useProjectRoom(id);
  const me = useMe();
  const project = useQuery(projectQueryOptions(id));
  useDocumentTitle(project.data?.title ?? "Project");
  const titleFlash = useFlash(project.data?.title);
  const { hash } = useLocation();
  const loaded = project.isSuccess;
  useEffect(() => {
    // A link to #comments arrives before the comments do.
    if (loaded && hash === "#comments") document.getElementById("comments")?.scrollIntoView();
  }, [loaded, hash]);

  if (project.isPending) return <Skeleton lines={3} height={140} />;
  // A 404 after the page was showing the project means it was deleted meanwhile.
  if (project.error instanceof ApiError && project.error.isNotFound)
    return (
      <EmptyState title="Project not found" heading>
        <p>{project.data ? "This project was just deleted." : "It may have been deleted, or the link is wrong."}</p>
        <Link to="/">Back to the feed</Link>
      </EmptyState>
    );
  if (project.isError && !project.data)
    return <ErrorState error={project.error} onRetry={() => void project.refetch()} />;

  const p = project.data;
  const user = me.data ?? null;
  const isOwner = user?.id === p.owner.id;
  const isAdmin = user?.role === "admin";

  return (
    <div className="page project-page">
      <div className="project-layout">
        <article className="project-main" aria-labelledby="project-title">
          <header className="project-head">
            <div className="project-title-row">
              <h1 id="project-title" className={titleFlash}>
                {p.title}
              </h1>
              {p.featured ? <FeaturedMark /> : null}
            </div>
            <p className="project-byline muted">
              by{" "}
              <Link to={`/users/${p.owner.id}`} className="owner">
                <Avatar user={p.owner} size={20} />
                <span>{p.owner.name}</span>
              </Link>{" "}
              · <RelativeTime iso={p.createdAt} />
              {p.updatedAt !== p.createdAt ? (
                <>
                  {" "}
                  · updated <RelativeTime iso={p.updatedAt} />
                </>
              ) : null}
            </p>
            <BadgeList badges={p.badges} />
          </header>

          <VoteControls project={p} signedIn={!!user} />

          <section className="card project-body" aria-label="Description">
            {p.description ? (
              <Markdown className="prose" source={p.description} />
            ) : (
              <p className="muted">No description yet.</p>
            )}
            <TagList tags={p.tags} />
            {isHttp(p.url) ? (
              <a className="project-url" href={p.url} target="_blank" rel="noopener noreferrer nofollow">
                Visit {hostOf(p.url)} <span aria-hidden="true">↗</span>
              </a>
            ) : null}
          </section>
        </article>

        <aside className="project-aside" aria-label="About the maker">
          <section className="card maker-card">
            <Link to={`/users/${p.owner.id}`} className="maker">
              <Avatar user={p.owner} size={48} />
              <span>
                <span className="maker-name">{p.owner.name}</span>
                <span className="muted small">Maker</span>
              </span>
            </Link>
            {isOwner ? null : <FollowButton userId={p.owner.id} showCount />}
            {isOwner ? (
              <Link to={`/projects/${p.id}/edit`} className="btn btn-block">
                Edit project
              </Link>
            ) : (
              <RequestIntroButton
                toUser={p.owner}
                project={{ id: p.id, title: p.title }}
                className="btn btn-primary btn-block"
              />
            )}
            {isOwner || isAdmin ? <DeleteProject id={p.id} /> : null}
          </section>
          {isAdmin ? <AdminControls project={p} /> : null}
        </aside>

        <div className="project-comments">
          <CommentsSection
            projectId={p.id}
            comments={p.comments}
            commentCount={p.commentCount}
            me={user}
            olderCursor={p.commentsCursor ?? null}
          />
        </div>
      </div>
    </div>
  );
}
