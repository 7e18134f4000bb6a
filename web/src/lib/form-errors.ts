import { useRef, useState } from "react";
import type { z } from "zod";
import { ApiError, errorMessage, fieldErrorsOf } from "./api-client";

export interface FormErrors {
  form: string | null;
  fields: Record<string, string>;
}

const none: FormErrors = { form: null, fields: {} };

/** After the errors render, take keyboard and screen-reader users to the first one. */
function focusFirstError(form: HTMLFormElement | null) {
  if (!form) return;
  requestAnimationFrame(() => {
    const target =
      form.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form.querySelector<HTMLElement>('[role="alert"]');
    if (!target) return;
    if (!target.hasAttribute("tabindex") && target.getAttribute("role") === "alert") target.tabIndex = -1;
    target.focus();
  });
}

/**
 * Errors of one form: checked first against the shared zod schema (the one
 * the server validates with, so messages match), then whatever the server
 * says, with SPEC `details[].path` mapped onto the field that caused it.
 */
export function useFormErrors() {
  const [errors, setErrors] = useState<FormErrors>(none);
  // The form being submitted (focus is on its button or field when it is sent).
  const formRef = useRef<HTMLFormElement | null>(null);

  /** Parses input with the schema; on failure shows the issues and returns null. */
  function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> | null {
    formRef.current = (document.activeElement as HTMLElement | null)?.closest("form") ?? formRef.current;
    const result = schema.safeParse(input);
    if (result.success) {
      setErrors(none);
      return result.data;
    }
    const fields = fieldErrorsOf(
      result.error.issues.map((i) => ({
        path: i.path.map(String).join("."),
        message: i.message.replace(/^Invalid input: /, ""),
      })),
    );
    const { form, ...rest } = fields;
    setErrors({ form: form ?? "Please fix the fields marked below.", fields: rest });
    focusFirstError(formRef.current);
    return null;
  }

  function fromError(err: unknown) {
    if (err instanceof ApiError) {
      const { form, ...fields } = err.fieldErrors;
      setErrors({ form: form ?? err.message, fields });
    } else setErrors({ form: errorMessage(err), fields: {} });
    focusFirstError(formRef.current);
  }

  return { errors, validate, fromError, clear: () => setErrors(none) };
}

/**
 * A form's text values with its errors (`useFormErrors`). `field(name)` gives
 * the props that tie a `Field` to one value: its name, value, change handler
 * and error (the first of `name`'s and `alsoFrom`'s, for errors the API
 * reports on a field the form does not show, such as a parent id).
 */
export function useForm<V extends Record<string, string>>(initial: V) {
  const [values, setValues] = useState(initial);
  const form = useFormErrors();
  const field = (name: keyof V & string, ...alsoFrom: string[]) => ({
    name,
    value: values[name],
    onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [name]: e.target.value })),
    error: [name, ...alsoFrom].map((n) => form.errors.fields[n]).find(Boolean),
  });
  return { ...form, values, setValues, field };
}
