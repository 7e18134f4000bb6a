import { ErrorCode, type FieldIssue } from "@shared/errors";

/** A failure the client caused or may know about; mapped to its status by the error handler. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const badRequest = (message: string, details?: FieldIssue[]) =>
  new AppError(400, ErrorCode.VALIDATION_ERROR, message, details);
export const unauthorized = (message = "Sign in to do this") => new AppError(401, ErrorCode.UNAUTHORIZED, message);
export const forbidden = (message = "You are not allowed to do this") =>
  new AppError(403, ErrorCode.FORBIDDEN, message);
export const notFound = (what = "Resource") => new AppError(404, ErrorCode.NOT_FOUND, `${what} not found`);
export const conflict = (message: string, code: ErrorCode = ErrorCode.CONFLICT) => new AppError(409, code, message);
