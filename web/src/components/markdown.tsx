import { useEffect, useState } from "react";

type MarkdownModule = typeof import("../lib/markdown");

let loaded: MarkdownModule | null = null;
let loading: Promise<MarkdownModule> | null = null;

const whenIdle = (fn: () => void) => {
  if ("requestIdleCallback" in window) {
    const id = requestIdleCallback(fn, { timeout: 3000 });
    return () => cancelIdleCallback(id);
  }
  const t = setTimeout(fn, 1000);
  return () => clearTimeout(t);
};

/**
 * The markdown renderer, loaded the first time some text needs it (it is not
 * on the first page). `idle`: only once the tab has nothing else to do (feed
 * summaries read fine as plain text meanwhile, and the first page stays quick).
 */
function useMarkdownModule(idle = false): MarkdownModule | null {
  const [mod, setMod] = useState(loaded);
  useEffect(() => {
    if (mod) return;
    let live = true;
    const load = () => {
      loading ??= import("../lib/markdown").then((m) => {
        loaded = m;
        return m;
      });
      loading.then(
        (m) => {
          if (live) setMod(m);
        },
        () => {},
      );
    };
    let cancel: (() => void) | undefined;
    if (idle) cancel = whenIdle(load);
    else load();
    return () => {
      live = false;
      cancel?.();
    };
  }, [mod, idle]);
  return mod;
}

/** User text with its Markdown rendered (safe subset, lib/markdown.ts); the plain text until the renderer loads. */
export function Markdown({ source, className }: { source: string; className?: string }) {
  const md = useMarkdownModule();
  if (!md)
    return (
      <div className={`md ${className ?? ""}`}>
        <p className="md-pending">{source}</p>
      </div>
    );
  // biome-ignore lint/security/noDangerouslySetInnerHtml: markdown-it with html off and http(s)-only links escapes everything else
  return <div className={`md ${className ?? ""}`} dangerouslySetInnerHTML={{ __html: md.renderMarkdown(source) }} />;
}

/** User text's words without the Markdown syntax (one-line summaries). */
export function useMarkdownText(source: string): string {
  const md = useMarkdownModule(true);
  return md ? md.markdownToText(source) : source;
}
