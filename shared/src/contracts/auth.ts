import { z } from "zod";
import { ILL_FORMED, line } from "./common";

export type { AuthResponse, Me } from "./responses";

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "must be at most 254 characters")
  .pipe(z.email("must be an email address"));

/**
 * A new password (SPEC "Security contract"): at least 10 characters, not one
 * character repeated. The server also refuses the most common leaked passwords
 * (server/src/modules/auth/common-passwords.ts; the list stays out of the web bundle).
 */
export const PasswordSchema = z
  .string()
  .min(10, "must be at least 10 characters")
  .max(200, "must be at most 200 characters")
  .refine((s) => !ILL_FORMED.test(s), "must be well-formed Unicode without NUL characters")
  .refine((s) => new Set(s).size > 1, "must not be one character repeated");

export const SignupBodySchema = z.object({
  email: EmailSchema,
  password: PasswordSchema,
  name: line(1, 80),
});
export type SignupBody = z.infer<typeof SignupBodySchema>;

export const LoginBodySchema = z.object({
  email: EmailSchema,
  password: z.string().min(1, "must not be empty").max(200, "must be at most 200 characters"),
});
export type LoginBody = z.infer<typeof LoginBodySchema>;

export const RoleSchema = z.enum(["user", "admin"]);
export type Role = z.infer<typeof RoleSchema>;
