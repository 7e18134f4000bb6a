import type { Me } from "@shared/contracts/auth";
import { UpdateProfileBodySchema } from "@shared/contracts/users";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { Avatar } from "../../components/avatar";
import { Field, FormActions, FormError } from "../../components/field";
import { EmptyState, ErrorState, Skeleton } from "../../components/states";
import { toast } from "../../components/toast-store";
import { useDocumentTitle } from "../../components/use-document-title";
import { ApiError } from "../../lib/api-client";
import { useForm } from "../../lib/form-errors";
import { loginHref } from "../../lib/urls";
import { useMe } from "../auth/auth.queries";
import { RequestIntroButton } from "../intros/request-intro";
import { ProjectCard } from "../projects/project-card";
import { FollowButton } from "./follow-button";
import { profileQueryOptions, useUpdateProfile } from "./users.queries";

function ProfileForm({ me, onDone }: { me: Me; onDone: () => void }) {
  const update = useUpdateProfile();
  const { errors, validate, fromError, values, field } = useForm({
    name: me.name,
    bio: me.bio,
    avatarUrl: me.avatarUrl ?? "",
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = validate(UpdateProfileBodySchema, values);
    if (!body) return;
    update.mutate(body, {
      onSuccess: () => {
        toast.success("Profile saved");
        onDone();
      },
      onError: fromError,
    });
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="Edit profile">
      <FormError message={errors.form} />
      <Field label="Name" maxLength={80} {...field("name")} />
      <Field multiline label="Bio" rows={3} maxLength={500} {...field("bio")} />
      <Field label="Avatar URL" type="url" inputMode="url" placeholder="https://" {...field("avatarUrl")} />
      <FormActions cancel={onDone} submitLabel="Save" pending={update.isPending} />
    </form>
  );
}

const memberSince = (iso: string) => new Date(iso).toLocaleDateString([], { month: "long", year: "numeric" });

export function ProfilePage() {
  const id = (useParams().id ?? "").toLowerCase();
  const me = useMe();
  const profile = useQuery(profileQueryOptions(id));
  const [editing, setEditing] = useState(false);
  const navigate = useNavigate();
  useDocumentTitle(profile.data?.name ?? "Profile");

  if (profile.isPending) return <Skeleton lines={3} height={120} />;
  if (profile.error instanceof ApiError && profile.error.isNotFound)
    return (
      <EmptyState title="No such person" heading>
        <Link to="/">Back to the feed</Link>
      </EmptyState>
    );
  if (profile.isError && !profile.data)
    return <ErrorState error={profile.error} onRetry={() => void profile.refetch()} />;

  const u = profile.data;
  const isMe = me.data?.id === u.id;
  const stats = [
    ["Projects", u.stats.projects],
    ["Points", u.stats.totalScore],
    ["Upvotes", u.stats.upvotes],
    ["Comments", u.stats.comments],
    ["Badges", u.stats.badges],
  ] as const;

  return (
    <div className="page">
      <section className="card profile-head" aria-labelledby="profile-name">
        <Avatar user={u} size={72} />
        <div className="profile-info">
          <div className="profile-title-row">
            <h1 id="profile-name">{u.name}</h1>
            {u.role === "admin" ? <span className="pill">Admin</span> : null}
          </div>
          {u.bio ? <p className="profile-bio">{u.bio}</p> : <p className="muted">No bio yet.</p>}
          <p className="muted small">Member since {memberSince(u.createdAt)}</p>
          <p className="follow-counts small">
            <span>
              <strong data-testid="followers">{u.followers}</strong> {u.followers === 1 ? "follower" : "followers"}
            </span>
            <span>
              <strong data-testid="following">{u.following}</strong> following
            </span>
          </p>
        </div>
        {isMe && editing ? null : (
          <div className="profile-actions">
            {isMe ? (
              <button type="button" className="btn" onClick={() => setEditing(true)}>
                Edit profile
              </button>
            ) : (
              <>
                <button
                  type="button"
                  className="btn"
                  onClick={() => navigate(me.data ? `/messages/${u.id}` : loginHref(`/messages/${u.id}`))}
                >
                  Message
                </button>
                <RequestIntroButton toUser={u} className="btn btn-primary" />
                <FollowButton userId={u.id} />
              </>
            )}
          </div>
        )}
      </section>

      {isMe && editing && me.data ? <ProfileForm me={me.data} onDone={() => setEditing(false)} /> : null}

      <dl className="stats">
        {stats.map(([label, value]) => (
          <div key={label} className="stat">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>

      <section aria-labelledby="profile-projects">
        <h2 id="profile-projects">Projects</h2>
        {u.projects.length === 0 ? (
          <EmptyState title={isMe ? "You have not shared a project yet" : `${u.name} has not shared a project yet`}>
            {isMe ? <Link to="/projects/new">Share your first project</Link> : null}
          </EmptyState>
        ) : (
          <div className="project-list">
            {u.projects.map((p) => (
              <ProjectCard key={p.id} project={p} />
            ))}
          </div>
        )}
      </section>
    </div>
  );
}
