import { LoginBodySchema, SignupBodySchema } from "@shared/contracts/auth";
import type { UseMutationResult } from "@tanstack/react-query";
import type { FormEvent, ReactNode } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import type { z } from "zod";
import { Field, FormError } from "../../components/field";
import { useDocumentTitle } from "../../components/use-document-title";
import { useForm } from "../../lib/form-errors";
import { useLogin, useMe, useSignup } from "./auth.queries";

/** Only same-site paths, so a crafted link cannot send people elsewhere after login. */
function safeNext(next: string | null) {
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
}

interface AuthCardProps<V extends Record<string, string>, S extends z.ZodType> {
  id: string;
  title: string;
  intro: string;
  form: ReturnType<typeof useForm<V>>;
  schema: S;
  mutation: UseMutationResult<unknown, Error, z.output<S>>;
  submitLabel: string;
  pendingLabel: string;
  /** The other page: "New here? Create an account". */
  other: { question: string; path: string; label: string };
  children: ReactNode;
}

/**
 * The frame of the login and signup pages: a signed-in visitor goes on to
 * `?next=` (a same-site path), the form is checked with the shared schema
 * before it is sent, and the other page keeps `next`.
 */
function AuthCard<V extends Record<string, string>, S extends z.ZodType>(p: AuthCardProps<V, S>) {
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const me = useMe();
  const navigate = useNavigate();

  if (me.data && !p.mutation.isSuccess) return <Navigate to={next} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = p.form.validate(p.schema, p.form.values);
    if (!body) return;
    p.mutation.mutate(body, { onSuccess: () => navigate(next, { replace: true }), onError: p.form.fromError });
  };

  return (
    <div className="auth-page">
      <form className="card form auth-card" onSubmit={submit} noValidate aria-labelledby={`${p.id}-title`}>
        <h1 id={`${p.id}-title`}>{p.title}</h1>
        <p className="muted">{p.intro}</p>
        <FormError message={p.form.errors.form} />
        {p.children}
        <button type="submit" className="btn btn-primary btn-block" disabled={p.mutation.isPending}>
          {p.mutation.isPending ? p.pendingLabel : p.submitLabel}
        </button>
        <p className="muted form-switch">
          {p.other.question}{" "}
          <Link to={`${p.other.path}${next !== "/" ? `?next=${encodeURIComponent(next)}` : ""}`}>{p.other.label}</Link>
        </p>
      </form>
    </div>
  );
}

export function LoginPage() {
  useDocumentTitle("Log in");
  const form = useForm({ email: "", password: "" });
  return (
    <AuthCard
      id="login"
      title="Log in"
      intro="Welcome back. Pick up where the community is right now."
      form={form}
      mutation={useLogin()}
      schema={LoginBodySchema}
      submitLabel="Log in"
      pendingLabel="Logging in…"
      other={{ question: "New here?", path: "/signup", label: "Create an account" }}
    >
      <Field label="Email" type="email" autoComplete="email" required {...form.field("email")} />
      <Field label="Password" type="password" autoComplete="current-password" required {...form.field("password")} />
    </AuthCard>
  );
}

export function SignupPage() {
  useDocumentTitle("Sign up");
  const form = useForm({ name: "", email: "", password: "" });
  return (
    <AuthCard
      id="signup"
      title="Sign up"
      intro="Show what you build, vote on what others make, and meet the people behind it."
      form={form}
      mutation={useSignup()}
      schema={SignupBodySchema}
      submitLabel="Sign up"
      pendingLabel="Signing up…"
      other={{ question: "Already have an account?", path: "/login", label: "Log in" }}
    >
      <Field label="Name" autoComplete="name" maxLength={80} required {...form.field("name")} />
      <Field label="Email" type="email" autoComplete="email" required {...form.field("email")} />
      <Field
        label="Password"
        type="password"
        autoComplete="new-password"
        hint="At least 10 characters, not a common password."
        required
        {...form.field("password")}
      />
    </AuthCard>
  );
}
