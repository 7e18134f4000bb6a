import { startTransition, useEffect, useMemo, useState } from "react";

type MarkdownModule = typeof import("../lib/markdown");

let loaded: MarkdownModule | null = null;
let loading: Promise<MarkdownModule> | null = null;

/**
 * The markdown renderer, loaded the first time some text needs it (it is not
 * on the first page; feed summaries use lib/markdown-text.ts and never need it).
 */
function useMarkdownModule(): MarkdownModule | null {
  const [mod, setMod] = useState(loaded);
  useEffect(() => {
    if (mod) return;
    let live = true;
    loading ??= import("../lib/markdown").then((m) => {
      loaded = m;
      return m;
    });
    loading.then(
      (m) => {
        // A transition: a page of comments swaps its plain text for Markdown in slices the
        // browser can interleave with input, not in one long task (a project page's was ~70 ms on a phone).
        if (live) startTransition(() => setMod(m));
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [mod]);
  return mod;
}

/** User text with its Markdown rendered (safe subset, lib/markdown.ts); the plain text until the renderer loads. */
export function Markdown({ source, className }: { source: string; className?: string }) {
  const md = useMarkdownModule();
  const html = useMemo(() => md?.renderMarkdown(source), [md, source]);
  if (html === undefined)
    return (
      <div className={`md ${className ?? ""}`}>
        <p className="md-pending">{source}</p>
      </div>
    );
  // biome-ignore lint/security/noDangerouslySetInnerHtml: markdown-it with html off and http(s)-only links escapes everything else
  return <div className={`md ${className ?? ""}`} dangerouslySetInnerHTML={{ __html: html }} />;
}
