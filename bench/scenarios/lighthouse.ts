/**
 * Lighthouse 12.2.3 (pinned: 13 needs Node 22) on the feed and a project page,
 * mobile (Lighthouse's default: Moto G Power, slow 4G, 4× CPU slowdown) and
 * desktop, against a bench instance serving the production build. Full runs
 * only: the scores depend on the machine's load, so --quick leaves it out.
 */
import { mkdir, writeFile } from "node:fs/promises";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import { progress } from "../lib/log.js";

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"] as const;
type Category = (typeof CATEGORIES)[number];

export type LighthouseScores = Record<string, Record<"mobile" | "desktop", Record<Category, number>>>;

/** The metrics behind the performance score, in ms (CLS unitless), for comparing runs audit by audit. */
const METRICS = {
  FCP: "first-contentful-paint",
  LCP: "largest-contentful-paint",
  TBT: "total-blocking-time",
  CLS: "cumulative-layout-shift",
  SI: "speed-index",
} as const;

/** Full reports (every audit's details) go here, git-ignored: `bench/results/tmp/lighthouse-<page>-<form>.json`. */
const REPORT_DIR = "bench/results/tmp";

export async function lighthouseScores(pages: Record<string, string>): Promise<LighthouseScores> {
  await mkdir(REPORT_DIR, { recursive: true });
  // A fresh instance's first reads are cold (query plans, caches, JIT): readers meet a warm one.
  for (const url of Object.values(pages)) for (let i = 0; i < 3; i++) await (await fetch(url)).text();
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
  });
  const out: LighthouseScores = {};
  try {
    for (const [name, url] of Object.entries(pages)) {
      out[name] = {} as LighthouseScores[string];
      for (const form of ["mobile", "desktop"] as const) {
        const result = await lighthouse(
          url,
          { port: chrome.port, output: "json", logLevel: "error", onlyCategories: [...CATEGORIES] },
          form === "desktop" ? desktopConfig : undefined,
        );
        if (!result) throw new Error(`lighthouse gave no result for ${url}`);
        const scores = Object.fromEntries(
          CATEGORIES.map((c) => [c, Math.round((result.lhr.categories[c]?.score ?? 0) * 100)]),
        ) as Record<Category, number>;
        out[name]![form] = scores;
        await writeFile(`${REPORT_DIR}/lighthouse-${name}-${form}.json`, JSON.stringify(result.lhr));
        const metrics = Object.entries(METRICS).map(([short, id]) => {
          const v = result.lhr.audits[id]?.numericValue ?? Number.NaN;
          return `${short} ${short === "CLS" ? v.toFixed(3) : Math.round(v)}`;
        });
        const failing = Object.values(result.lhr.audits)
          .filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== "informative")
          .map((a) => a.id);
        progress(
          `lighthouse: ${name} ${form} ${CATEGORIES.map((c) => `${c} ${scores[c]}`).join(", ")} [${metrics.join(", ")}]${failing.length ? ` (below 90: ${failing.slice(0, 8).join(", ")})` : ""}`,
        );
      }
    }
  } finally {
    await chrome.kill();
  }
  return out;
}
