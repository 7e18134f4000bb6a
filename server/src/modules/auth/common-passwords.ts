import { dictionary } from "@zxcvbn-ts/language-common";

/**
 * The most common leaked passwords: zxcvbn-ts's list (about 49,000, from
 * breach corpora, ordered by frequency; maintained as an npm package, so it is
 * not copied here). Compared case-insensitively and ignoring spaces, so
 * "Password 1234" counts as "password1234".
 */
let common: Set<string> | null = null;

const normal = (password: string) => password.toLowerCase().replace(/\s+/g, "");

export function isCommonPassword(password: string): boolean {
  common ??= new Set((dictionary["passwords-common"] as string[]).map(normal));
  return common.has(normal(password));
}
