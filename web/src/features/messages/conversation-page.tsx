import type { MessageView } from "@shared/contracts/messages";
import { SendMessageBodySchema } from "@shared/contracts/messages";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef } from "react";
import { Link, useParams } from "react-router";
import { Avatar } from "../../components/avatar";
import { Field, FormError } from "../../components/field";
import { clockTime } from "../../components/relative-time";
import { RequireAuth } from "../../components/require-auth";
import { EmptyState, ErrorState, Skeleton } from "../../components/states";
import { useDocumentTitle } from "../../components/use-document-title";
import { ApiError } from "../../lib/api-client";
import { useForm } from "../../lib/form-errors";
import { profileQueryOptions } from "../users/users.queries";
import { threadQueryOptions, useMarkConversationRead, useSendMessage } from "./messages.queries";

const DAY = new Intl.DateTimeFormat([], { weekday: "long", month: "short", day: "numeric" });
const dayOf = (iso: string) => DAY.format(new Date(iso));

function Composer({ meId, otherId }: { meId: string; otherId: string }) {
  const send = useSendMessage(meId, otherId);
  const { errors, validate, fromError, values, setValues, field } = useForm({ body: "" });
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (send.isPending) return;
    const input = validate(SendMessageBodySchema, { toUserId: otherId, ...values });
    if (!input) return;
    send.mutate(input.body, { onSuccess: () => setValues({ body: "" }), onError: fromError });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };
  return (
    <form className="composer" onSubmit={submit} noValidate>
      <FormError message={errors.form} />
      <div className="composer-row">
        <Field
          multiline
          label="Message"
          rows={2}
          maxLength={2000}
          onKeyDown={onKeyDown}
          hint="Enter sends, Shift+Enter adds a line."
          {...field("body", "toUserId")}
        />
        <button type="submit" className="btn btn-primary" disabled={send.isPending}>
          Send
        </button>
      </div>
    </form>
  );
}

function Thread({ meId, otherId, messages }: { meId: string; otherId: string; messages: MessageView[] }) {
  const lastMine = messages.findLast((m) => m.senderId === meId);

  if (messages.length === 0) return <p className="muted empty-inline thread-empty">No messages yet. Say hello.</p>;
  return (
    <ol className="thread" aria-label="Conversation" aria-live="polite">
      {messages.map((m, i) => {
        const mine = m.senderId === meId;
        const day = dayOf(m.createdAt);
        const newDay = i === 0 || day !== dayOf(messages[i - 1]!.createdAt);
        return (
          <li key={m.id} className={`bubble-row${mine ? " is-mine" : ""}`} data-other={mine ? undefined : otherId}>
            {newDay ? <p className="thread-day">{day}</p> : null}
            <div className="bubble">
              <p className="bubble-text">{m.body}</p>
              <time className="bubble-time" dateTime={m.createdAt}>
                {clockTime(m.createdAt)}
              </time>
            </div>
            {m.id === lastMine?.id ? (
              <p className="receipt">
                <span data-testid="read-receipt">{m.readAt ? "Read" : "Sent"}</span>
                {m.readAt ? <span className="muted"> {clockTime(m.readAt)}</span> : null}
              </p>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

function Conversation({ meId, otherId }: { meId: string; otherId: string }) {
  const other = useQuery(profileQueryOptions(otherId));
  const thread = useQuery({ ...threadQueryOptions(meId, otherId), enabled: meId !== otherId });
  useDocumentTitle(other.data ? `Messages with ${other.data.name}` : "Messages");
  const scrollRef = useRef<HTMLElement>(null);
  const lastId = thread.data?.at(-1)?.id;
  // Open and showing: whatever came in unread is now read (once per newest unread message).
  const markRead = useMarkConversationRead(meId, otherId);
  const newestUnread = thread.data?.findLast((m) => m.senderId === otherId && !m.readAt)?.id;
  const marked = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!newestUnread || marked.current === newestUnread) return;
    marked.current = newestUnread;
    markRead.mutate();
  }, [newestUnread, markRead.mutate]);
  useEffect(() => {
    // Keep the newest message in view (scrolling only the thread, not the page).
    const el = scrollRef.current;
    if (el && lastId) el.scrollTop = el.scrollHeight;
  }, [lastId]);

  if (meId === otherId)
    return (
      <EmptyState title="This is you">
        <p>
          Messages are for talking to other people. <Link to="/messages">See your conversations</Link>.
        </p>
      </EmptyState>
    );
  if (thread.error instanceof ApiError && thread.error.isNotFound)
    return (
      <EmptyState title="No such person">
        <Link to="/messages">Back to messages</Link>
      </EmptyState>
    );

  return (
    <div className="conversation card">
      <header className="conversation-head">
        <Link to="/messages" className="btn btn-ghost btn-sm" aria-label="All conversations">
          ←
        </Link>
        {other.data ? (
          <Link to={`/users/${otherId}`} className="conversation-with">
            <Avatar user={other.data} size={36} />
            <h1 className="conversation-title">{other.data.name}</h1>
          </Link>
        ) : (
          <h1 className="conversation-title">{other.isError ? "Conversation" : "\u00a0"}</h1>
        )}
      </header>
      {/* Focusable, so keyboard users can scroll the thread on a phone (it scrolls on its own). */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1, axe scrollable-region-focusable) */}
      <section className="thread-scroll" ref={scrollRef} tabIndex={0} aria-label="Messages">
        {thread.isPending ? (
          <Skeleton lines={3} height={48} />
        ) : thread.isError && !thread.data ? (
          <ErrorState error={thread.error} onRetry={() => void thread.refetch()} />
        ) : (
          <Thread meId={meId} otherId={otherId} messages={thread.data} />
        )}
      </section>
      <Composer meId={meId} otherId={otherId} />
    </div>
  );
}

export function ConversationPage() {
  const { userId = "" } = useParams();
  return (
    <RequireAuth>
      {(me) => (
        <div className="page narrow">
          <Conversation meId={me.id} otherId={userId.toLowerCase()} />
        </div>
      )}
    </RequireAuth>
  );
}
