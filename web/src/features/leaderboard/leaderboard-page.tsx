import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { Avatar } from "../../components/avatar";
import { EmptyState, ErrorState, Skeleton } from "../../components/states";
import { useDocumentTitle } from "../../components/use-document-title";
import { BadgeList, FeaturedMark } from "../projects/badge-list";
import { leaderboardQueryOptions } from "./leaderboard.queries";

type BoardProps = { id: string; title: string; empty: string; count: number; children: ReactNode };
/** One ranked list: a card with its heading, and an empty state while nothing is ranked. */
function Board({ id, title, empty, count, children }: BoardProps) {
  return (
    <section className="card board" aria-labelledby={id}>
      <h2 id={id} className="card-title">
        {title}
      </h2>
      {count === 0 ? <EmptyState title={empty} /> : <ol className="board-list">{children}</ol>}
    </section>
  );
}

type BoardRowProps = { testId: string; rank: number; score: number; scoreTestId: string; children: ReactNode };
/** A row of a board: the rank, what is ranked, and its points. */
function BoardRow({ testId, rank, score, scoreTestId, children }: BoardRowProps) {
  return (
    <li className="board-row" data-testid={testId}>
      <span className={`board-rank rank-${rank}`}>{rank}</span>
      {children}
      <span className="board-score">
        <span data-testid={scoreTestId}>{score}</span>
        <span className="muted small"> pts</span>
      </span>
    </li>
  );
}

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
          <Board id="top-projects" title="Top projects" empty="No projects yet" count={board.data.projects.length}>
            {board.data.projects.map(({ rank, project }) => (
              <BoardRow
                key={project.id}
                testId="leaderboard-project"
                rank={rank}
                score={project.score}
                scoreTestId="score"
              >
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
              </BoardRow>
            ))}
          </Board>
          <Board id="top-makers" title="Top makers" empty="No makers yet" count={board.data.makers.length}>
            {board.data.makers.map((m) => (
              <BoardRow
                key={m.user.id}
                testId="leaderboard-maker"
                rank={m.rank}
                score={m.totalScore}
                scoreTestId="maker-score"
              >
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
              </BoardRow>
            ))}
          </Board>
        </div>
      )}
    </div>
  );
}
