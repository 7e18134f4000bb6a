import {
  CreateProjectBodySchema,
  type ProjectDetail,
  type ProjectSummary,
  UpdateProjectBodySchema,
} from "@shared/contracts/projects";
import { type UseMutationResult, useQuery } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { Navigate, useNavigate, useParams } from "react-router";
import type { z } from "zod";
import { Field, FormActions, FormError } from "../../components/field";
import { RequireAuth } from "../../components/require-auth";
import { ErrorState, Skeleton } from "../../components/states";
import { toast } from "../../components/toast-store";
import { useDocumentTitle } from "../../components/use-document-title";
import { useForm } from "../../lib/form-errors";
import { projectQueryOptions, useCreateProject, useUpdateProject } from "./projects.queries";

type Draft = { title: string; description: string; url: string; tags: string };

const toTags = (s: string) =>
  s
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

/** The form for a new project and for an edit: checked with `schema`, sent with `mutation`. */
function ProjectForm<S extends z.ZodType>({
  initial,
  schema,
  mutation,
  onSaved,
  submitLabel,
  cancelTo,
}: {
  initial: Draft;
  schema: S;
  mutation: UseMutationResult<ProjectSummary, Error, z.output<S>>;
  onSaved: (p: ProjectSummary) => void;
  submitLabel: string;
  cancelTo: string;
}) {
  const form = useForm(initial);
  const { field } = form;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = form.validate(schema, { ...form.values, tags: toTags(form.values.tags) });
    if (!body) return;
    mutation.mutate(body, { onSuccess: onSaved, onError: form.fromError });
  };
  return (
    <form className="card form" onSubmit={submit} noValidate>
      <FormError message={form.errors.form} />
      <Field label="Title" maxLength={120} required {...field("title")} />
      <Field
        multiline
        label="Description"
        rows={6}
        maxLength={5000}
        hint="What it does, who it is for, what you learned building it."
        {...field("description")}
      />
      <Field label="URL" type="url" inputMode="url" placeholder="https://" {...field("url")} />
      <Field label="Tags" hint="Comma-separated, up to 10: e.g. realtime, postgres, games" {...field("tags")} />
      <FormActions cancel={cancelTo} submitLabel={submitLabel} pending={mutation.isPending} />
    </form>
  );
}

export function NewProjectPage() {
  useDocumentTitle("New project");
  const create = useCreateProject();
  const navigate = useNavigate();
  return (
    <RequireAuth>
      {() => (
        <div className="page narrow">
          <h1>Share a project</h1>
          <p className="muted">Everyone watching the feed sees it the moment you publish.</p>
          <ProjectForm
            initial={{ title: "", description: "", url: "", tags: "" }}
            schema={CreateProjectBodySchema}
            mutation={create}
            onSaved={(p) => navigate(`/projects/${p.id}`)}
            submitLabel="Create project"
            cancelTo="/"
          />
        </div>
      )}
    </RequireAuth>
  );
}

function EditForm({ project }: { project: ProjectDetail }) {
  const update = useUpdateProject(project.id);
  const navigate = useNavigate();
  return (
    <ProjectForm
      initial={{
        title: project.title,
        description: project.description,
        url: project.url ?? "",
        tags: project.tags.join(", "),
      }}
      schema={UpdateProjectBodySchema}
      mutation={update}
      onSaved={() => {
        toast.success("Project saved");
        navigate(`/projects/${project.id}`);
      }}
      submitLabel="Save"
      cancelTo={`/projects/${project.id}`}
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
