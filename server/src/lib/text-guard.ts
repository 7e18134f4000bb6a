/**
 * Every string of a JSON body, keys included, must be well-formed Unicode
 * without NUL: a lone surrogate (`"\ud800"`) parses in JavaScript but makes
 * Prisma's query compiler fail ("unexpected end of hex escape", a 500), and
 * PostgreSQL text cannot hold NUL. Checked once at the body parser, so every
 * route is covered, whatever its schema.
 */
import { ILL_FORMED as BAD } from "@shared/contracts/common";

/** Only escapes can put either into a body (raw invalid UTF-8 decodes to U+FFFD): a cheap pre-check. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: a raw NUL is one of the two things it looks for
const MAYBE_BAD = /\\u(?:0000|[dD][89a-fA-F])|\u0000/;

/** The path of the first ill-formed string in a parsed JSON value, or null. */
export function illFormedTextPath(raw: string, value: unknown): string | null {
  if (!MAYBE_BAD.test(raw)) return null;
  const walk = (v: unknown, path: string): string | null => {
    if (typeof v === "string") return BAD.test(v) ? path : null;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const found = walk(v[i], path ? `${path}.${i}` : String(i));
        if (found !== null) return found;
      }
      return null;
    }
    if (v && typeof v === "object")
      for (const [k, item] of Object.entries(v)) {
        const p = path ? `${path}.${k}` : k;
        if (BAD.test(k)) return p;
        const found = walk(item, p);
        if (found !== null) return found;
      }
    return null;
  };
  return walk(value, "");
}
