import { type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes, useId } from "react";
import { Link } from "react-router";

type Control =
  | ({ multiline?: false } & InputHTMLAttributes<HTMLInputElement>)
  | ({ multiline: true } & TextareaHTMLAttributes<HTMLTextAreaElement>);

export type FieldProps = {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
} & Control;

/**
 * The one form field: a label, an input (or, `multiline`, a textarea), and the
 * hint and error right under it, announced with it (`aria-describedby`) and
 * flagged with `aria-invalid` while the error shows.
 */
export function Field({ label, error, hint, className, ...control }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ") || undefined;
  const a11y = { id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy };
  let input: ReactNode;
  if (control.multiline) {
    const { multiline: _, ...area } = control;
    input = <textarea {...a11y} {...area} />;
  } else {
    const { multiline: _, ...attrs } = control;
    input = <input {...a11y} {...attrs} />;
  }
  return (
    <div className={`field ${className ?? ""}`}>
      <label htmlFor={id}>{label}</label>
      {input}
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The error of a whole form (not tied to one field). */
export function FormError({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <div className="form-error" role="alert">
      {message}
    </div>
  );
}

/**
 * A form's buttons: Cancel (a link back, or a handler; none without `cancel`)
 * and the submit button, disabled while the form is being sent.
 */
export function FormActions({
  cancel,
  submitLabel,
  pending,
  small = false,
}: {
  cancel?: string | (() => void) | undefined;
  submitLabel: string;
  pending: boolean;
  small?: boolean;
}) {
  const size = small ? " btn-sm" : "";
  return (
    <div className="form-actions">
      {typeof cancel === "string" ? (
        <Link to={cancel} className="btn btn-ghost">
          Cancel
        </Link>
      ) : cancel ? (
        <button type="button" className={`btn btn-ghost${size}`} onClick={cancel}>
          Cancel
        </button>
      ) : null}
      <button type="submit" className={`btn btn-primary${size}`} disabled={pending}>
        {submitLabel}
      </button>
    </div>
  );
}
