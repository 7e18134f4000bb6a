import { z } from "zod";

import { isId, UUID_RE } from "./ids";

export { isId };

/** Any well-formed uuid (PostgreSQL accepts every version, so do we). */
export const IdSchema = z
  .string()
  .regex(UUID_RE, "must be a uuid")
  .transform((s) => s.toLowerCase());

export const IdParamsSchema = z.object({ id: IdSchema });
export const UserIdParamsSchema = z.object({ userId: IdSchema });

// PostgreSQL text cannot hold a NUL character: storing one fails the whole write.
const noNul = (s: string) => !s.includes("\u0000");
const NO_NUL = "must not contain NUL characters";

/** Trimmed text with length limits counted after trimming. */
export const text = (min: number, max: number) =>
  z
    .string()
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .min(min, min === 1 ? "must not be empty" : `must be at least ${min} characters`)
        .max(max, `must be at most ${max} characters`)
        .refine(noNul, NO_NUL),
    );

export const HttpUrlSchema = z
  .string()
  .trim()
  .max(2000, "must be at most 2000 characters")
  .refine(noNul, NO_NUL)
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === "http:" || u.protocol === "https:";
    } catch {
      return false;
    }
  }, "must be an http(s) URL");

export const VoteValueSchema = z.union([z.literal(1), z.literal(-1), z.literal(0)]);
export type VoteValue = z.infer<typeof VoteValueSchema>;

export const UserRefSchema = z.object({
  id: z.string(),
  name: z.string(),
  avatarUrl: z.string().nullable(),
});
export type UserRef = z.infer<typeof UserRefSchema>;

export const PageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
