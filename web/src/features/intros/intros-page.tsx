import type { IntroView } from "@shared/contracts/intros";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { Avatar } from "../../components/avatar";
import { RelativeTime } from "../../components/relative-time";
import { RequireAuth } from "../../components/require-auth";
import { EmptyState, ErrorState, Skeleton } from "../../components/states";
import { toast } from "../../components/toast-store";
import { useDocumentTitle } from "../../components/use-document-title";
import { errorMessage } from "../../lib/api-client";
import { introsQueryOptions, pendingReceived, useRespondToIntro } from "./intros.queries";

const STATUS_TEXT = { pending: "Pending", accepted: "Accepted", declined: "Declined" } as const;

function IntroCard({ intro, direction, meId }: { intro: IntroView; direction: "received" | "sent"; meId: string }) {
  const respond = useRespondToIntro(meId);
  const other = direction === "received" ? intro.fromUser : intro.toUser;
  const answer = (accept: boolean) =>
    respond.mutate({ id: intro.id, accept }, { onError: (err) => toast.error(errorMessage(err)) });
  return (
    <li
      className="card intro"
      data-testid="intro"
      aria-label={`Intro ${direction === "received" ? "from" : "to"} ${other.name}`}
    >
      <div className="intro-head">
        <Avatar user={other} size={40} />
        <div className="intro-who">
          <p>
            {direction === "received" ? (
              <>
                <Link to={`/users/${other.id}`}>{other.name}</Link> would like an intro
              </>
            ) : (
              <>
                You asked <Link to={`/users/${other.id}`}>{other.name}</Link> for an intro
              </>
            )}
            {intro.project ? (
              <>
                {" "}
                about <Link to={`/projects/${intro.project.id}`}>{intro.project.title}</Link>
              </>
            ) : null}
          </p>
          <p className="muted small">
            <RelativeTime iso={intro.createdAt} />
          </p>
        </div>
        <span className={`status status-${intro.status}`} data-testid="intro-status">
          {STATUS_TEXT[intro.status]}
        </span>
      </div>
      <p className="intro-message">{intro.message}</p>
      {direction === "received" && intro.status === "pending" ? (
        <div className="form-actions">
          <button type="button" className="btn" disabled={respond.isPending} onClick={() => answer(false)}>
            Decline
          </button>
          <button type="button" className="btn btn-primary" disabled={respond.isPending} onClick={() => answer(true)}>
            Accept
          </button>
        </div>
      ) : intro.status === "accepted" ? (
        <div className="form-actions">
          <Link to={`/messages/${other.id}`} className="btn btn-sm">
            Message {other.name}
          </Link>
        </div>
      ) : null}
    </li>
  );
}

function IntroList({ items, direction, meId }: { items: IntroView[]; direction: "received" | "sent"; meId: string }) {
  if (items.length === 0)
    return (
      <EmptyState title={direction === "received" ? "No intro requests yet" : "You have not asked for an intro yet"}>
        {direction === "sent" ? <p>Find a maker on the feed and press “Request intro”.</p> : null}
      </EmptyState>
    );
  return (
    <ul className="intro-list">
      {items.map((i) => (
        <IntroCard key={i.id} intro={i} direction={direction} meId={meId} />
      ))}
    </ul>
  );
}

function Intros({ meId }: { meId: string }) {
  const intros = useQuery(introsQueryOptions(meId));
  if (intros.isPending) return <Skeleton lines={3} />;
  if (intros.isError && !intros.data) return <ErrorState error={intros.error} onRetry={() => void intros.refetch()} />;
  const pending = pendingReceived(intros.data);
  return (
    <div className="intro-columns">
      <section aria-labelledby="received-title">
        <h2 id="received-title">
          Received {pending > 0 ? <span className="count-inline">{pending} pending</span> : null}
        </h2>
        <IntroList items={intros.data.received} direction="received" meId={meId} />
      </section>
      <section aria-labelledby="sent-title">
        <h2 id="sent-title">Sent</h2>
        <IntroList items={intros.data.sent} direction="sent" meId={meId} />
      </section>
    </div>
  );
}

export function IntrosPage() {
  useDocumentTitle("Intros");
  return (
    <RequireAuth>
      {(me) => (
        <div className="page">
          <div className="page-head">
            <div>
              <h1>Intros</h1>
              <p className="muted">People who want to meet you, and the people you asked to meet.</p>
            </div>
          </div>
          <Intros meId={me.id} />
        </div>
      )}
    </RequireAuth>
  );
}
