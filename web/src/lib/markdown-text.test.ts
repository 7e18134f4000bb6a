import fc from "fast-check";
import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import { markdownToText } from "./markdown-text";

/** What markdown-it (configured as lib/markdown.ts) makes of the text: the words of its inline tokens. */
const md = new MarkdownIt("default", { html: false, linkify: true, breaks: true, typographer: false });
md.disable(["image", "heading", "lheading", "table"]);
md.validateLink = (url) => /^https?:\/\/[^\s]+$/i.test(url.trim());
function reference(source: string): string {
  const words: string[] = [];
  for (const block of md.parse(source, {})) {
    if (block.type !== "inline") continue;
    const parts = (block.children ?? [])
      .map((t) => (t.type === "text" || t.type === "code_inline" ? t.content : t.type.endsWith("break") ? " " : ""))
      .join("");
    if (parts.trim()) words.push(parts.trim());
  }
  return words.join(" ").replace(/\s+/g, " ");
}

/** What people write in descriptions: the summary must read as markdown-it would show it. */
const TYPICAL = [
  "Plain words, nothing else.",
  "Some **bold** and [a link](https://example.com).\n\n- item",
  "It is **fast** and [documented](https://example.com/docs).\n\n[bad](javascript:alert(1)) <b>raw</b>",
  "_Lovely_ work, see https://example.org",
  "A `code span` with *stars* inside `*not em*`.",
  "snake_case_names stay, as do 2*3*4 and a * lone star.",
  "> quoted **text**\n> more",
  "1. first\n2. second\n   continued",
  "* one\n* two\n+ three",
  "Before\n\n```ts\nconst hidden = 1;\n```\n\nAfter",
  "~~old~~ new",
  "Escaped \\*stars\\* and \\_underscores\\_",
  "Line one\nline two",
  "Tags: #rust #wasm",
  'A [link with title](https://example.com "Title") here',
  "<https://example.com/auto>",
  "---\nAfter a rule",
  "Unicode: café **naïve** — ünïcödé",
  "Text with __double underscores__ and __init__.py",
];

describe("markdownToText", () => {
  it.each(TYPICAL)("reads %j as markdown-it shows it", (source) => {
    expect(markdownToText(source)).toBe(reference(source));
  });

  it("leaves raw HTML and non-http links as text", () => {
    expect(markdownToText("<b>not bold</b>")).toBe("<b>not bold</b>");
    expect(markdownToText("[x](javascript:alert(1))")).toBe("[x](javascript:alert(1))");
  });

  it("gives one line of text for any input, with nothing of its own left in it", () => {
    const markdownish = fc.stringOf(
      fc.constantFrom(
        "*",
        "_",
        "`",
        "~",
        "\\",
        "[",
        "]",
        "(",
        ")",
        ">",
        "-",
        "1.",
        "\n",
        " ",
        "a",
        "é",
        "https://x.io",
      ),
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), markdownish), (source) => {
        const text = markdownToText(source);
        expect(text).not.toContain("\n");
        if (!source.includes("\uE000")) expect(text).not.toContain("\uE000");
        expect(text).toBe(text.trim());
      }),
    );
  });
});
