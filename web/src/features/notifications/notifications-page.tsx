import type { NotificationView } from "@shared/contracts/notifications";
import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { Avatar } from "../../components/avatar";
import { RelativeTime } from "../../components/relative-time";
import { RequireAuth } from "../../components/require-auth";
import { EmptyState, ErrorState, Skeleton } from "../../components/states";
import { useDocumentTitle } from "../../components/use-document-title";
import {
  NOTIFICATIONS_PAGE_SIZE,
  notificationsQueryOptions,
  useDeleteNotification,
  useMarkNotificationsRead,
} from "./notifications.queries";

/** What a notification says, and where it leads. */
export function describeNotification(n: NotificationView): { text: string; href: string } {
  const who = n.actor?.name ?? "Someone";
  const project = n.project ? `“${n.project.title}”` : "your project";
  const projectHref = n.project ? `/projects/${n.project.id}` : "/";
  switch (n.kind) {
    case "intro_received":
      return { text: `${who} asked you for an intro`, href: "/intros" };
    case "intro_accepted":
      return { text: `${who} accepted your intro request`, href: n.actor ? `/messages/${n.actor.id}` : "/intros" };
    case "intro_declined":
      return { text: `${who} declined your intro request`, href: "/intros" };
    case "comment":
      return { text: `${who} commented on ${project}`, href: `${projectHref}#comments` };
    case "reply":
      return { text: `${who} replied to your comment on ${project}`, href: `${projectHref}#comments` };
    case "badge_awarded":
      return { text: `${project} won a badge`, href: projectHref };
    case "project_featured":
      return { text: `${project} was featured`, href: projectHref };
    case "follow":
      return { text: `${who} followed you`, href: n.actor ? `/users/${n.actor.id}` : "/" };
    case "new_project":
      return { text: `${who} posted ${project}`, href: projectHref };
  }
}

export function NotificationsPage() {
  useDocumentTitle("Notifications");
  return <RequireAuth>{(me) => <Inbox meId={me.id} />}</RequireAuth>;
}

function Inbox({ meId }: { meId: string }) {
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Math.floor(Number(params.get("page") ?? 1)) || 1);
  const unread = params.get("unread") === "true";
  const inbox = useQuery(notificationsQueryOptions(meId, { page, pageSize: NOTIFICATIONS_PAGE_SIZE, unread }));
  const markRead = useMarkNotificationsRead(meId);
  const remove = useDeleteNotification(meId);
  const go = (next: { page?: number; unread?: boolean }) => {
    const p = new URLSearchParams();
    if (next.unread ?? unread) p.set("unread", "true");
    if ((next.page ?? page) > 1) p.set("page", String(next.page ?? page));
    setParams(p);
  };
  const pages = inbox.data ? Math.max(1, Math.ceil(inbox.data.total / inbox.data.pageSize)) : 1;

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Notifications</h1>
          <p className="muted">
            {inbox.data ? (
              <>
                <span data-testid="inbox-unread">{inbox.data.unreadCount}</span> unread
              </>
            ) : (
              " "
            )}
          </p>
        </div>
        <button
          type="button"
          className="btn"
          disabled={!inbox.data?.unreadCount || markRead.isPending}
          onClick={() => markRead.mutate(undefined)}
        >
          Mark all as read
        </button>
      </div>
      <nav className="tabs" aria-label="Show notifications">
        <Link to="/notifications" className="tab" aria-current={unread ? undefined : "page"}>
          All
        </Link>
        <Link to="/notifications?unread=true" className="tab" aria-current={unread ? "page" : undefined}>
          Unread
        </Link>
      </nav>
      {inbox.isPending ? (
        <Skeleton lines={4} height={64} />
      ) : inbox.isError && !inbox.data ? (
        <ErrorState error={inbox.error} onRetry={() => void inbox.refetch()} />
      ) : inbox.data.items.length === 0 ? (
        <EmptyState title={unread ? "Nothing unread" : "No notifications yet"}>
          <p>Comments on your projects, replies, intros, badges and new followers show up here.</p>
        </EmptyState>
      ) : (
        <ol className="notification-list" aria-label="Notifications">
          {inbox.data.items.map((n) => {
            const { text, href } = describeNotification(n);
            return (
              <li key={n.id} className={`card notification${n.readAt ? "" : " is-unread"}`}>
                <div className="notification-body">
                  {n.actor ? <Avatar user={n.actor} size={24} /> : null}{" "}
                  <Link to={href} onClick={() => (n.readAt ? undefined : markRead.mutate([n.id]))}>
                    {text}
                  </Link>
                  {n.comment ? <p className="muted small">“{n.comment.body}”</p> : null}
                  <p className="muted small">
                    <RelativeTime iso={n.createdAt} />
                    {n.readAt ? null : <span className="pill"> New</span>}
                  </p>
                </div>
                <div className="notification-actions">
                  {n.readAt ? null : (
                    <button type="button" className="btn btn-sm" onClick={() => markRead.mutate([n.id])}>
                      Mark as read
                    </button>
                  )}
                  <button type="button" className="btn btn-ghost btn-sm" onClick={() => remove.mutate(n.id)}>
                    Delete
                  </button>
                </div>
              </li>
            );
          })}
        </ol>
      )}
      {inbox.data && pages > 1 ? (
        <nav className="pagination" aria-label="Pages">
          <button type="button" className="btn" disabled={page <= 1} onClick={() => go({ page: page - 1 })}>
            ← Previous
          </button>
          <span className="muted" aria-current="page">
            Page {page} of {pages}
          </span>
          <button type="button" className="btn" disabled={page >= pages} onClick={() => go({ page: page + 1 })}>
            Next →
          </button>
        </nav>
      ) : null}
    </div>
  );
}
