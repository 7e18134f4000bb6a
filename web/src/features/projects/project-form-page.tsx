import { CreateProjectBodySchema, type ProjectDetail, UpdateProjectBodySchema } from "@shared/contracts/projects";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, Navigate, useNavigate, useParams } from "react-router";
import { FormError, TextArea, TextField } from "../../components/field";
import { RequireAuth } from "../../components/require-auth";
import { ErrorState, Skeleton } from "../../components/states";
import { toast } from "../../components/toast-store";
import { useDocumentTitle } from "../../components/use-document-title";
import { useFormErrors } from "../../lib/form-errors";
import { projectQueryOptions, useCreateProject, useUpdateProject } from "./projects.queries";

interface Draft {
  title: string;
  description: string;
  url: string;
  tags: string;
}

const toTags = (s: string) =>
  s
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

function ProjectForm({
  initial,
  submitLabel,
  pending,
  onSubmit,
  cancelTo,
  errors,
}: {
  initial: Draft;
  submitLabel: string;
  pending: boolean;
  onSubmit: (d: Draft) => void;
  cancelTo: string;
  errors: ReturnType<typeof useFormErrors>["errors"];
}) {
  const [draft, setDraft] = useState(initial);
  const set = (k: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(draft);
  };
  return (
    <form className="card form" onSubmit={submit} noValidate>
      <FormError message={errors.form} />
      <TextField
        label="Title"
        name="title"
        value={draft.title}
        onChange={set("title")}
        error={errors.fields.title}
        maxLength={120}
        required
      />
      <TextArea
        label="Description"
        name="description"
        rows={6}
        value={draft.description}
        onChange={set("description")}
        error={errors.fields.description}
        maxLength={5000}
        hint="What it does, who it is for, what you learned building it."
      />
      <TextField
        label="URL"
        name="url"
        type="url"
        inputMode="url"
        placeholder="https://"
        value={draft.url}
        onChange={set("url")}
        error={errors.fields.url}
      />
      <TextField
        label="Tags"
        name="tags"
        value={draft.tags}
        onChange={set("tags")}
        error={errors.fields.tags}
        hint="Comma-separated, up to 10: e.g. realtime, postgres, games"
      />
      <div className="form-actions">
        <Link to={cancelTo} className="btn btn-ghost">
          Cancel
        </Link>
        <button type="submit" className="btn btn-primary" disabled={pending}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}

export function NewProjectPage() {
  useDocumentTitle("New project");
  const create = useCreateProject();
  const navigate = useNavigate();
  const form = useFormErrors();
  return (
    <RequireAuth>
      {() => (
        <div className="page narrow">
          <h1>Share a project</h1>
          <p className="muted">Everyone watching the feed sees it the moment you publish.</p>
          <ProjectForm
            initial={{ title: "", description: "", url: "", tags: "" }}
            submitLabel="Create project"
            pending={create.isPending}
            cancelTo="/"
            errors={form.errors}
            onSubmit={(d) => {
              const body = form.validate(CreateProjectBodySchema, { ...d, tags: toTags(d.tags) });
              if (!body) return;
              create.mutate(body, {
                onSuccess: (p) => navigate(`/projects/${p.id}`),
                onError: form.fromError,
              });
            }}
          />
        </div>
      )}
    </RequireAuth>
  );
}

function EditForm({ project }: { project: ProjectDetail }) {
  const update = useUpdateProject(project.id);
  const navigate = useNavigate();
  const form = useFormErrors();
  return (
    <ProjectForm
      initial={{
        title: project.title,
        description: project.description,
        url: project.url ?? "",
        tags: project.tags.join(", "),
      }}
      submitLabel="Save"
      pending={update.isPending}
      cancelTo={`/projects/${project.id}`}
      errors={form.errors}
      onSubmit={(d) => {
        const body = form.validate(UpdateProjectBodySchema, { ...d, tags: toTags(d.tags) });
        if (!body) return;
        update.mutate(body, {
          onSuccess: () => {
            toast.success("Project saved");
            navigate(`/projects/${project.id}`);
          },
          onError: form.fromError,
        });
      }}
    />
  );
}

export function EditProjectPage() {
  const id = (useParams().id ?? "").toLowerCase();
  const project = useQuery(projectQueryOptions(id));
  useDocumentTitle(project.data ? `Edit ${project.data.title}` : "Edit project");
  return (
    <RequireAuth>
      {(me) => {
        if (project.isPending) return <Skeleton lines={3} />;
        if (project.isError) return <ErrorState error={project.error} onRetry={() => void project.refetch()} />;
        if (project.data.owner.id !== me.id) return <Navigate to={`/projects/${id}`} replace />;
        return (
          <div className="page narrow">
            <h1>Edit project</h1>
            <EditForm project={project.data} />
          </div>
        );
      }}
    </RequireAuth>
  );
}
