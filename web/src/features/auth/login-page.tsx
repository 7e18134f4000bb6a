import { LoginBodySchema, SignupBodySchema } from "@shared/contracts/auth";
import { type FormEvent, useState } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { FormError, TextField } from "../../components/field";
import { useDocumentTitle } from "../../components/use-document-title";
import { useFormErrors } from "../../lib/form-errors";
import { useLogin, useMe, useSignup } from "./auth.queries";

/** Only same-site paths, so a crafted link cannot send people elsewhere after login. */
function safeNext(next: string | null) {
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function LoginPage() {
  useDocumentTitle("Log in");
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const me = useMe();
  const login = useLogin();
  const navigate = useNavigate();
  const { errors, validate, fromError } = useFormErrors();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  if (me.data && !login.isSuccess) return <Navigate to={next} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = validate(LoginBodySchema, { email, password });
    if (!body) return;
    login.mutate(body, { onSuccess: () => navigate(next, { replace: true }), onError: fromError });
  };

  return (
    <div className="auth-page">
      <form className="card form auth-card" onSubmit={submit} noValidate aria-labelledby="login-title">
        <h1 id="login-title">Log in</h1>
        <p className="muted">Welcome back. Pick up where the community is right now.</p>
        <FormError message={errors.form} />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.fields.email}
          required
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fields.password}
          required
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={login.isPending}>
          {login.isPending ? "Logging in…" : "Log in"}
        </button>
        <p className="muted form-switch">
          New here?{" "}
          <Link to={`/signup${next !== "/" ? `?next=${encodeURIComponent(next)}` : ""}`}>Create an account</Link>
        </p>
      </form>
    </div>
  );
}

export function SignupPage() {
  useDocumentTitle("Sign up");
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const me = useMe();
  const signup = useSignup();
  const navigate = useNavigate();
  const { errors, validate, fromError } = useFormErrors();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  if (me.data && !signup.isSuccess) return <Navigate to={next} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = validate(SignupBodySchema, { name, email, password });
    if (!body) return;
    signup.mutate(body, { onSuccess: () => navigate(next, { replace: true }), onError: fromError });
  };

  return (
    <div className="auth-page">
      <form className="card form auth-card" onSubmit={submit} noValidate aria-labelledby="signup-title">
        <h1 id="signup-title">Sign up</h1>
        <p className="muted">Show what you build, vote on what others make, and meet the people behind it.</p>
        <FormError message={errors.form} />
        <TextField
          label="Name"
          name="name"
          autoComplete="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.fields.name}
          maxLength={80}
          required
        />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.fields.email}
          required
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fields.password}
          hint="At least 10 characters, not a common password."
          required
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={signup.isPending}>
          {signup.isPending ? "Signing up…" : "Sign up"}
        </button>
        <p className="muted form-switch">
          Already have an account?{" "}
          <Link to={`/login${next !== "/" ? `?next=${encodeURIComponent(next)}` : ""}`}>Log in</Link>
        </p>
      </form>
    </div>
  );
}
