import type { Me } from "@shared/contracts/auth";
import { CreateCommentBodySchema, UpdateCommentBodySchema } from "@shared/contracts/comments";
import type { VoteValue } from "@shared/contracts/common";
import type { CommentView } from "@shared/contracts/projects";
import { type FormEvent, useId, useMemo, useState } from "react";
import { Link, useLocation } from "react-router";
import { Avatar } from "../../components/avatar";
import { Field, FormActions, FormError } from "../../components/field";
import { Markdown } from "../../components/markdown";
import { RelativeTime } from "../../components/relative-time";
import { useForm } from "../../lib/form-errors";
import { loginHref } from "../../lib/urls";
import {
  flattenThreads,
  useAddComment,
  useDeleteComment,
  useEditComment,
  useOlderComments,
  useVoteComment,
} from "./comments.queries";

interface Node {
  comment: CommentView;
  replies: Node[];
}

/** Flat comments (with parentId) into a tree; oldest first at every level. */
export function buildThread(comments: CommentView[]): Node[] {
  const nodes = new Map(comments.map((c) => [c.id, { comment: c, replies: [] as Node[] }]));
  const roots: Node[] = [];
  const byTime = (a: Node, b: Node) => a.comment.createdAt.localeCompare(b.comment.createdAt);
  for (const node of nodes.values()) {
    const parent = node.comment.parentId ? nodes.get(node.comment.parentId) : undefined;
    (parent ? parent.replies : roots).push(node);
  }
  for (const node of nodes.values()) node.replies.sort(byTime);
  return roots.sort(byTime);
}

const MAX_INDENT = 4;

/**
 * After posting, focus goes to the new comment (announced by its heading), not
 * to <body>: the button that had it was disabled while sending, and a reply's
 * form is gone. It is in the cache already; it renders within a few frames.
 */
function focusComment(id: string, framesLeft = 20) {
  requestAnimationFrame(() => {
    const el = document.querySelector<HTMLElement>(`[data-comment-id="${CSS.escape(id)}"]`);
    if (!el) {
      if (framesLeft > 0) focusComment(id, framesLeft - 1);
      return;
    }
    el.tabIndex = -1;
    el.focus();
  });
}

interface ThreadProps {
  projectId: string;
  comments: CommentView[];
  commentCount: number;
  me: Me | null;
  /** Where older threads continue (the project page holds the newest 200). */
  olderCursor?: string | null;
}

export function CommentsSection({ projectId, comments, commentCount, me, olderCursor = null }: ThreadProps) {
  const [wantOlder, setWantOlder] = useState(false);
  const older = useOlderComments(projectId, olderCursor, wantOlder);
  const all = useMemo(() => {
    const seen = new Set(comments.map((c) => c.id));
    return [...comments, ...flattenThreads(older.data?.pages).filter((c) => !seen.has(c.id))];
  }, [comments, older.data]);
  const tree = useMemo(() => buildThread(all), [all]);
  const hasOlder = olderCursor !== null && (!older.data || older.hasNextPage);
  const location = useLocation();
  return (
    <section className="comments" id="comments" aria-labelledby="comments-title">
      <h2 id="comments-title">
        Comments{" "}
        <span className="muted">
          (<span data-testid="comment-count">{commentCount}</span>)
        </span>
      </h2>
      {me ? (
        <CommentForm projectId={projectId} />
      ) : (
        <p className="card muted signin-prompt">
          <Link to={loginHref(location.pathname)}>Log in</Link> to join the conversation.
        </p>
      )}
      {tree.length === 0 ? (
        <p className="muted empty-inline">No comments yet. Start the conversation.</p>
      ) : (
        <ol className="comment-list">
          {tree.map((node) => (
            <CommentItem key={node.comment.id} node={node} projectId={projectId} me={me} depth={0} />
          ))}
        </ol>
      )}
      {hasOlder ? (
        <button
          type="button"
          className="btn"
          disabled={older.isFetching}
          onClick={() => (wantOlder ? void older.fetchNextPage() : setWantOlder(true))}
        >
          {older.isFetching ? "Loading older comments…" : "Older comments"}
        </button>
      ) : null}
    </section>
  );
}

function CommentForm({
  projectId,
  parentId,
  label = "Comment",
  submitLabel = "Post comment",
  onDone,
}: {
  projectId: string;
  parentId?: string;
  label?: string;
  submitLabel?: string;
  onDone?: () => void;
}) {
  const add = useAddComment(projectId);
  const { errors, validate, fromError, values, setValues, field } = useForm({ body: "" });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const input = validate(CreateCommentBodySchema, { body: values.body, parentId: parentId ?? null });
    if (!input) return;
    add.mutate(
      { body: input.body, parentId: input.parentId ?? null },
      {
        onSuccess: (comment) => {
          setValues({ body: "" });
          onDone?.();
          focusComment(comment.id);
        },
        onError: fromError,
      },
    );
  };
  return (
    <form className="comment-form" onSubmit={submit} noValidate>
      <FormError message={errors.form} />
      <Field
        multiline
        label={label}
        rows={parentId ? 2 : 3}
        maxLength={2000}
        autoFocus={!!parentId}
        {...field("body", "parentId")}
      />
      {add.isPaused ? (
        <p className="pending-note" role="status" data-testid="comment-pending">
          Offline: your comment will be posted when the connection is back
        </p>
      ) : null}
      <FormActions cancel={onDone} submitLabel={submitLabel} pending={add.isPending} small />
    </form>
  );
}

function EditForm({ projectId, comment, onDone }: { projectId: string; comment: CommentView; onDone: () => void }) {
  const edit = useEditComment(projectId);
  const { errors, validate, fromError, values, field } = useForm({ body: comment.body });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const input = validate(UpdateCommentBodySchema, values);
    if (!input) return;
    edit.mutate({ id: comment.id, body: input.body }, { onSuccess: onDone, onError: fromError });
  };
  return (
    <form className="comment-form" onSubmit={submit} noValidate>
      <FormError message={errors.form} />
      <Field multiline label="Edit comment" rows={3} maxLength={2000} autoFocus {...field("body")} />
      <FormActions cancel={onDone} submitLabel="Save" pending={edit.isPending} small />
    </form>
  );
}

function CommentVotes({ projectId, comment, me }: { projectId: string; comment: CommentView; me: Me | null }) {
  const vote = useVoteComment(projectId);
  const cast = (value: VoteValue) => vote.mutate({ id: comment.id, value: comment.myVote === value ? 0 : value });
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of toggle buttons, not a form fieldset
    <div className="comment-votes" role="group" aria-label="Vote on this comment">
      <button
        type="button"
        className="icon-btn"
        aria-label="Vote comment up"
        aria-pressed={comment.myVote === 1}
        disabled={!me}
        onClick={() => cast(1)}
      >
        ▲
      </button>
      <span className="comment-score" data-testid="comment-score">
        {comment.score}
      </span>
      <button
        type="button"
        className="icon-btn"
        aria-label="Vote comment down"
        aria-pressed={comment.myVote === -1}
        disabled={!me}
        onClick={() => cast(-1)}
      >
        ▼
      </button>
    </div>
  );
}

function CommentItem({ node, projectId, me, depth }: { node: Node; projectId: string; me: Me | null; depth: number }) {
  const { comment, replies } = node;
  const [mode, setMode] = useState<"view" | "reply" | "edit" | "confirm-delete">("view");
  const remove = useDeleteComment(projectId);
  const headId = useId();
  const isAuthor = me?.id === comment.author.id;
  const canDelete = isAuthor || me?.role === "admin";
  const edited = comment.updatedAt !== comment.createdAt;

  return (
    <li className="comment-item">
      <article className="comment" aria-labelledby={headId} data-comment-id={comment.id}>
        <header className="comment-head">
          <Avatar user={comment.author} size={28} />
          <span id={headId} className="comment-author">
            <Link to={`/users/${comment.author.id}`}>{comment.author.name}</Link>
            <span className="sr-only"> commented</span>
          </span>
          <span className="muted small">
            <RelativeTime iso={comment.createdAt} />
            {edited ? " · edited" : ""}
          </span>
        </header>
        {mode === "edit" ? (
          <EditForm projectId={projectId} comment={comment} onDone={() => setMode("view")} />
        ) : (
          <Markdown className="comment-body" source={comment.body} />
        )}
        <div className="comment-actions">
          <CommentVotes projectId={projectId} comment={comment} me={me} />
          {me && mode !== "reply" ? (
            <button type="button" className="link-btn" onClick={() => setMode("reply")}>
              Reply
            </button>
          ) : null}
          {isAuthor && mode !== "edit" ? (
            <button type="button" className="link-btn" onClick={() => setMode("edit")}>
              Edit
            </button>
          ) : null}
          {canDelete && mode !== "confirm-delete" ? (
            <button type="button" className="link-btn link-danger" onClick={() => setMode("confirm-delete")}>
              Delete
            </button>
          ) : null}
          {mode === "confirm-delete" ? (
            <span className="confirm" role="alert">
              Delete this comment{replies.length ? " and its replies" : ""}?
              <button
                type="button"
                className="btn btn-danger btn-sm"
                disabled={remove.isPending}
                onClick={() => remove.mutate(comment.id)}
              >
                Yes, delete
              </button>
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setMode("view")}>
                Cancel
              </button>
            </span>
          ) : null}
        </div>
        {mode === "reply" ? (
          <CommentForm
            projectId={projectId}
            parentId={comment.id}
            label={`Reply to ${comment.author.name}`}
            submitLabel="Post reply"
            onDone={() => setMode("view")}
          />
        ) : null}
      </article>
      {replies.length > 0 ? (
        <ol className={`comment-list${depth < MAX_INDENT ? " is-nested" : ""}`}>
          {replies.map((r) => (
            <CommentItem key={r.comment.id} node={r} projectId={projectId} me={me} depth={depth + 1} />
          ))}
        </ol>
      ) : null}
    </li>
  );
}
