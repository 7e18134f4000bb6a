import type { ErrorBody, FieldIssue } from "@shared/errors";

/**
 * A failed API call, readable as-is: `message` is a sentence for people and
 * `fieldErrors` maps a form field name (the first segment of the SPEC's
 * `details[].path`, so `tags.0` lands on `tags`) to what was wrong with it.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fieldErrors: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  get isNotFound() {
    return this.status === 404;
  }
  get isUnauthorized() {
    return this.status === 401;
  }
}

const NETWORK_MESSAGE = "Could not reach Zerostale. Check your connection and try again.";

const sentence = (s: string) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : s);

export function fieldErrorsOf(details: unknown): Record<string, string> {
  if (!Array.isArray(details)) return {};
  const out: Record<string, string> = {};
  for (const d of details as Partial<FieldIssue>[]) {
    if (typeof d?.path !== "string" || typeof d.message !== "string") continue;
    const field = d.path.split(".")[0] || "form";
    out[field] ??= sentence(d.message);
  }
  return out;
}

function readableMessage(status: number, body: ErrorBody["error"] | undefined, fieldErrors: Record<string, string>) {
  if (Object.keys(fieldErrors).length > 0 && body?.code === "VALIDATION_ERROR")
    return "Please fix the fields marked below.";
  if (body?.message) return body.message;
  if (status === 401) return "Please log in to do this.";
  if (status === 403) return "You are not allowed to do this.";
  if (status === 404) return "Not found.";
  if (status === 429) return "Too many attempts. Wait a moment and try again.";
  if (status >= 500) return "Something went wrong on our side. Try again in a moment.";
  return `Request failed (${status}).`;
}

export async function toApiError(res: Response): Promise<ApiError> {
  let body: ErrorBody["error"] | undefined;
  try {
    body = ((await res.json()) as Partial<ErrorBody>).error;
  } catch {
    body = undefined;
  }
  const fieldErrors = fieldErrorsOf(body?.details);
  // Errors that name a field by their code rather than by details.
  if (body?.code === "EMAIL_TAKEN" && !fieldErrors.email) fieldErrors.email = body.message;
  return new ApiError(
    res.status,
    body?.code ?? `HTTP_${res.status}`,
    readableMessage(res.status, body, fieldErrors),
    fieldErrors,
  );
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      // The httpOnly session cookie authenticates us; the API and the app share an origin.
      credentials: "same-origin",
      headers:
        body === undefined
          ? { accept: "application/json" }
          : { "content-type": "application/json", accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if ((err as Error)?.name === "AbortError") throw err;
    throw new ApiError(0, "NETWORK", NETWORK_MESSAGE);
  }
  if (!res.ok) throw await toApiError(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>("GET", path, undefined, signal),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, body),
  delete: <T = void>(path: string) => request<T>("DELETE", path),
};

/** A readable message for anything a query or mutation may throw. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error && err.message) return err.message;
  return "Something went wrong.";
}
