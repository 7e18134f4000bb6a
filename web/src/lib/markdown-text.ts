/**
 * The words of a piece of user Markdown without its syntax, for one-line
 * summaries (feed cards, two lines at most). Not a Markdown parser, on purpose:
 * a summary is plain React text (escaped), so a miss can only look a little
 * off, never inject anything, and this keeps markdown-it (~38 kB compressed,
 * ~100 kB to parse) off the feed, where it used to load and re-render every
 * card a moment after the first paint (ADR 016). It follows the subset of
 * lib/markdown.ts: code blocks are left out, links only lose their syntax
 * when markdown-it would make them links (http(s) targets), raw HTML stays text.
 */

/** Brackets what is set aside (a private-use character: nothing people type, nothing shown). */
const MARK = "\uE000";
const SET_ASIDE = new RegExp(`${MARK}(\\d+)${MARK}`, "g");
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const BLOCK_MARKERS = /^ {0,3}(?:>[ \t]?)*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?/;

const INLINE: [RegExp, string][] = [
  // [words](http…) and <http…>: the words (or the address). Other targets stay as typed, as in markdown-it.
  [/\[([^\]\n]*)\]\(\s*https?:\/\/[^\s)]*(?:\s+"[^"\n]*")?\s*\)/gi, "$1"],
  [/<(https?:\/\/[^\s>]+)>/gi, "$1"],
  // **strong**, __strong__, *em*, _em_ (not inside words), ~~struck~~.
  [/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, "$2"],
  [/\*(?=[^\s*])([^*]*?[^\s*])\*/g, "$1"],
  [/(^|[\s([{"'])_(?=[^\s_])([^_]*?[^\s_])_(?=$|[\s)\]}"'.,;:!?])/g, "$1$2"],
  [/~~(?=\S)([\s\S]*?\S)~~/g, "$1"],
];

export function markdownToText(source: string): string {
  const kept: string[] = [];
  let fence: string | null = null;
  for (const line of source.replace(/\r\n?/g, "\n").split("\n")) {
    const open = FENCE.exec(line)?.[1];
    if (fence !== null) {
      if (open && open[0] === fence[0] && open.length >= fence.length) fence = null;
      continue;
    }
    if (open) {
      fence = open;
      continue;
    }
    if (RULE.test(line)) continue;
    kept.push(line.replace(BLOCK_MARKERS, ""));
  }
  // Code spans and escaped punctuation (\*) are taken as typed: set aside while the other rules run.
  const spans: string[] = [];
  const aside = (kept: string) => {
    spans.push(kept);
    return `${MARK}${spans.length - 1}${MARK}`;
  };
  let text = kept
    .join(" ")
    .replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, (_, _ticks: string, code: string) => aside(code.trim()))
    .replace(/\\([!-/:-@[-`{-~])/g, (_, char: string) => aside(char));
  for (const [pattern, replacement] of INLINE) text = text.replace(pattern, replacement);
  return text
    .replace(SET_ASIDE, (_, i: string) => spans[Number(i)] ?? "")
    .replace(/\s+/g, " ")
    .trim();
}
