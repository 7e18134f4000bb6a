import MarkdownIt from "markdown-it";

/**
 * Markdown for user text (descriptions, comments), through markdown-it rather
 * than a hand-written parser. A safe subset: raw HTML is escaped (`html: false`),
 * images are off (tracking pixels, and the CSP does not allow other origins),
 * headings are off (user text sits under the page's own headings), and only
 * http(s) URLs become links, each with rel="nofollow ugc noopener". This module
 * is ~45 kB: it is loaded on demand, never on the first page (ADR 016).
 */
const md = new MarkdownIt("default", { html: false, linkify: true, breaks: true, typographer: false });
md.disable(["image", "heading", "lheading", "table"]);
md.validateLink = (url) => /^https?:\/\/[^\s]+$/i.test(url.trim());

const renderToken: NonNullable<typeof md.renderer.rules.link_open> = (tokens, idx, options, _env, self) =>
  self.renderToken(tokens, idx, options);
const linkOpen = md.renderer.rules.link_open ?? renderToken;
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet("rel", "nofollow ugc noopener");
  return linkOpen(tokens, idx, options, env, self);
};

/** HTML for a piece of user text (safe to insert). */
export function renderMarkdown(source: string): string {
  return md.render(source);
}
