import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { Avatar } from "../../components/avatar";
import { RelativeTime } from "../../components/relative-time";
import { RequireAuth } from "../../components/require-auth";
import { EmptyState, ErrorState, Skeleton } from "../../components/states";
import { useDocumentTitle } from "../../components/use-document-title";
import { conversationsQueryOptions } from "./messages.queries";

function Conversations({ meId }: { meId: string }) {
  const list = useQuery(conversationsQueryOptions(meId));
  if (list.isPending) return <Skeleton lines={4} height={72} />;
  if (list.isError && !list.data) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  if (list.data.length === 0)
    return (
      <EmptyState title="No conversations yet">
        <p>Open someone’s profile and press “Message” to start one.</p>
      </EmptyState>
    );
  return (
    <ul className="conversation-list card">
      {list.data.map((c) => {
        const mine = c.lastMessage.senderId === meId;
        return (
          <li key={c.user.id}>
            <Link
              to={`/messages/${c.user.id}`}
              className={`conversation-row${c.unreadCount > 0 ? " is-unread" : ""}`}
              data-testid="conversation"
            >
              <Avatar user={c.user} size={44} />
              <span className="conversation-main">
                <span className="conversation-top">
                  <span className="conversation-name">{c.user.name}</span>
                  <span className="muted small">
                    <RelativeTime iso={c.lastMessage.createdAt} />
                  </span>
                </span>
                <span className="conversation-preview">
                  {mine ? "You: " : ""}
                  {c.lastMessage.body}
                </span>
              </span>
              {c.unreadCount > 0 ? (
                <span className="count-badge">
                  <span data-testid="conversation-unread">{c.unreadCount}</span>
                  <span className="sr-only"> unread</span>
                </span>
              ) : null}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

export function ConversationsPage() {
  useDocumentTitle("Messages");
  return (
    <RequireAuth>
      {(me) => (
        <div className="page narrow">
          <div className="page-head">
            <div>
              <h1>Messages</h1>
              <p className="muted">Direct messages with other makers.</p>
            </div>
          </div>
          <Conversations meId={me.id} />
        </div>
      )}
    </RequireAuth>
  );
}
