/** Only http(s) links are rendered as links or images (never `javascript:` and the like). */
export const isHttp = (url: string | null | undefined): url is string => !!url && /^https?:\/\//i.test(url);

/** The login page, coming back to `next` (a same-site path) afterwards. */
export const loginHref = (next: string) => `/login?next=${encodeURIComponent(next)}`;
