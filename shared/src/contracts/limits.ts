/**
 * Plain limits without zod, for code on the web app's first page (the header's
 * search box) that must not pull in the schemas (ADR 016's byte budget).
 */
/** The longest search text accepted (characters, after trimming). */
export const SEARCH_MAX_LENGTH = 200;
