import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { Avatar } from "../../components/avatar";
import { EmptyState, ErrorState, Skeleton } from "../../components/states";
import { useDocumentTitle } from "../../components/use-document-title";
import { BadgeList, FeaturedMark } from "../projects/badge-list";
import { leaderboardQueryOptions } from "./leaderboard.queries";

export function LeaderboardPage() {
  useDocumentTitle("Leaderboard");
  const board = useQuery(leaderboardQueryOptions());

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Leaderboard</h1>
          <p className="muted">The best projects and the people who make them, updated with every vote and badge.</p>
        </div>
      </div>
      {board.isPending ? (
        <div className="board-grid">
          <Skeleton lines={6} height={56} />
          <Skeleton lines={6} height={56} />
        </div>
      ) : board.isError && !board.data ? (
        <ErrorState error={board.error} onRetry={() => void board.refetch()} />
      ) : (
        <div className="board-grid">
          <section className="card board" aria-labelledby="top-projects">
            <h2 id="top-projects" className="card-title">
              Top projects
            </h2>
            {board.data.projects.length === 0 ? (
              <EmptyState title="No projects yet" />
            ) : (
              <ol className="board-list">
                {board.data.projects.map(({ rank, project }) => (
                  <li key={project.id} className="board-row" data-testid="leaderboard-project">
                    <span className={`board-rank rank-${rank}`}>{rank}</span>
                    <div className="board-main">
                      <div className="board-title">
                        <Link to={`/projects/${project.id}`}>{project.title}</Link>
                        {project.featured ? <FeaturedMark /> : null}
                      </div>
                      <div className="muted small">
                        by <Link to={`/users/${project.owner.id}`}>{project.owner.name}</Link>
                      </div>
                      <BadgeList badges={project.badges} />
                    </div>
                    <span className="board-score">
                      <span data-testid="score">{project.score}</span>
                      <span className="muted small"> pts</span>
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </section>
          <section className="card board" aria-labelledby="top-makers">
            <h2 id="top-makers" className="card-title">
              Top makers
            </h2>
            {board.data.makers.length === 0 ? (
              <EmptyState title="No makers yet" />
            ) : (
              <ol className="board-list">
                {board.data.makers.map((m) => (
                  <li key={m.user.id} className="board-row" data-testid="leaderboard-maker">
                    <span className={`board-rank rank-${m.rank}`}>{m.rank}</span>
                    <div className="board-main board-maker">
                      <Avatar user={m.user} size={32} />
                      <div>
                        <Link to={`/users/${m.user.id}`} className="board-title">
                          {m.user.name}
                        </Link>
                        <div className="muted small">
                          {m.projectCount} {m.projectCount === 1 ? "project" : "projects"} · {m.badgeCount}{" "}
                          {m.badgeCount === 1 ? "badge" : "badges"}
                        </div>
                      </div>
                    </div>
                    <span className="board-score">
                      <span data-testid="maker-score">{m.totalScore}</span>
                      <span className="muted small"> pts</span>
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
