import { z } from "zod";
import { text } from "./common";

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "must be at most 254 characters")
  .pipe(z.email("must be an email address"));

export const SignupBodySchema = z.object({
  email: EmailSchema,
  password: z.string().min(8, "must be at least 8 characters").max(200, "must be at most 200 characters"),
  name: text(1, 80),
});
export type SignupBody = z.infer<typeof SignupBodySchema>;

export const LoginBodySchema = z.object({
  email: EmailSchema,
  password: z.string().min(1, "must not be empty").max(200, "must be at most 200 characters"),
});
export type LoginBody = z.infer<typeof LoginBodySchema>;

export const RoleSchema = z.enum(["user", "admin"]);
export type Role = z.infer<typeof RoleSchema>;

/** The signed-in user as they see themselves (the only place an email appears). */
export interface Me {
  id: string;
  email: string;
  name: string;
  bio: string;
  avatarUrl: string | null;
  role: Role;
  createdAt: string;
  updatedAt: string;
}

export interface AuthResponse {
  user: Me;
  token: string;
}
