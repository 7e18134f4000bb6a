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

// PostgreSQL text cannot hold a NUL character, and a lone surrogate is not
// Unicode at all (Prisma's query compiler fails on it with a 500): both are
// refused in every text field. The JSON body parser refuses them anywhere in a
// body too (server/src/lib/text-guard.ts), so fields outside these schemas are
// covered.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what it looks for
export const ILL_FORMED = /[\u0000\p{Cs}]/u;
const WELL_FORMED = "must be well-formed Unicode without NUL characters";
/**
 * Bidi embeddings, overrides and isolates reorder how the text around them is
 * shown ("Trojan Source"): refused in every text field. Right-to-left text needs
 * none of them (marks like U+200F stay allowed in multi-line text).
 */
const BIDI_OVERRIDE = /[\u202A-\u202E\u2066-\u2069]/;
/** Control characters and every bidi control, marks included: refused in single-line text. */
const CONTROL_OR_BIDI = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
/** What renders as nothing: spaces, format characters (zero-width…), fillers, variation selectors. */
const INVISIBLE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: each invisible character is matched on its own, combining or not
  /[\s\p{Cf}\p{Cc}\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u2800\u3164\uFE00-\uFE0F\uFFA0]|[\u{E0100}-\u{E01EF}]/gu;

/** Whether a text would show as nothing at all. */
export const isBlank = (s: string) => s.replace(INVISIBLE, "") === "";

/** Trimmed text with length limits counted after trimming; multi-line (bodies, descriptions, bios). */
export const text = (min: number, max: number) =>
  z
    .string()
    .refine((s) => !ILL_FORMED.test(s), WELL_FORMED)
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .min(min, min === 1 ? "must not be empty" : `must be at least ${min} characters`)
        .max(max, `must be at most ${max} characters`)
        .refine((s) => min === 0 || !isBlank(s), "must not be blank")
        .refine((s) => !BIDI_OVERRIDE.test(s), "must not contain bidi override, embedding or isolate characters"),
    )
    // The limits in /openapi.json: JSON Schema cannot say "after trimming", so the document
    // states them on the text as sent (an over-long text padded with spaces is its only gap).
    .meta({ ...(min > 0 && { minLength: min }), maxLength: max });

/** Single-line text (names, titles): no control or bidi characters, never blank. */
export const line = (min: number, max: number) =>
  text(min, max).refine((s) => !CONTROL_OR_BIDI.test(s), "must be one line without control or bidi characters");

export const HttpUrlSchema = z
  .string()
  .trim()
  .max(2000, "must be at most 2000 characters")
  .refine((s) => !ILL_FORMED.test(s), WELL_FORMED)
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

export type { UserRef } from "./responses";

export const PageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
