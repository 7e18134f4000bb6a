/**
 * Lighthouse 12.2.3 (pinned: 13 needs Node 22) on the feed and a project page,
 * mobile (Lighthouse's default: Moto G Power, slow 4G, 4× CPU slowdown) and
 * desktop, against a bench instance serving the production build. Full runs
 * only: the scores depend on the machine's load, so --quick leaves it out.
 *
 * Mobile performance is simulated (Lantern): network timings are modelled and
 * deterministic, main-thread tasks are the ones measured here times four, so
 * total blocking time rises with the machine's load. Each page and form factor
 * is therefore run several times (LIGHTHOUSE_RUNS, default 3) and the median
 * run (by performance score) kept, with the load average beside it.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import { progress } from "../lib/log.js";

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"] as const;
type Category = (typeof CATEGORIES)[number];
type Form = "mobile" | "desktop";

/** What we hold the web client to (issue 12), per form factor; scores 0–100. */
export const LIGHTHOUSE_TARGETS: Record<Form, Record<Category, number>> = {
  mobile: { performance: 90, accessibility: 100, "best-practices": 95, seo: 95 },
  desktop: { performance: 95, accessibility: 100, "best-practices": 95, seo: 95 },
};

/** The metrics behind the performance score, in ms (CLS unitless), for comparing runs audit by audit. */
const METRICS = {
  FCP: "first-contentful-paint",
  LCP: "largest-contentful-paint",
  TBT: "total-blocking-time",
  CLS: "cumulative-layout-shift",
  SI: "speed-index",
} as const;
type Metric = keyof typeof METRICS;

export type LighthouseRun = Record<Category, number> & {
  metrics: Record<Metric, number>;
  /** The run's performance scores, all of them (the median one is the one shown). */
  performanceRuns: number[];
  /** The 1-minute load average when the median run started. */
  load: number;
};
export type LighthouseScores = Record<string, Record<Form, LighthouseRun>>;

/** Full reports (every audit's details) go here, git-ignored: `bench/results/tmp/lighthouse-<page>-<form>.json`. */
const REPORT_DIR = "bench/results/tmp";

export async function lighthouseScores(
  pages: Record<string, string>,
  runs = Number(process.env.LIGHTHOUSE_RUNS ?? 3),
): Promise<LighthouseScores> {
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
        const done: { run: LighthouseRun; lhr: unknown }[] = [];
        for (let i = 0; i < Math.max(1, runs); i++) {
          const load = Math.round(loadavg()[0]! * 10) / 10;
          const result = await lighthouse(
            url,
            { port: chrome.port, output: "json", logLevel: "error", onlyCategories: [...CATEGORIES] },
            form === "desktop" ? desktopConfig : undefined,
          );
          if (!result) throw new Error(`lighthouse gave no result for ${url}`);
          const scores = Object.fromEntries(
            CATEGORIES.map((c) => [c, Math.round((result.lhr.categories[c]?.score ?? 0) * 100)]),
          ) as Record<Category, number>;
          const metrics = Object.fromEntries(
            Object.entries(METRICS).map(([short, id]) => {
              const v = result.lhr.audits[id]?.numericValue ?? Number.NaN;
              return [short, short === "CLS" ? Math.round(v * 1000) / 1000 : Math.round(v)];
            }),
          ) as Record<Metric, number>;
          const failing = Object.values(result.lhr.audits)
            .filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== "informative")
            .map((a) => a.id);
          progress(
            `lighthouse: ${name} ${form} run ${i + 1}/${runs} (load ${load}) ${CATEGORIES.map((c) => `${c} ${scores[c]}`).join(", ")} [${Object.entries(
              metrics,
            )
              .map(([k, v]) => `${k} ${v}`)
              .join(", ")}]${failing.length ? ` (below 90: ${failing.slice(0, 8).join(", ")})` : ""}`,
          );
          done.push({ run: { ...scores, metrics, performanceRuns: [], load }, lhr: result.lhr });
        }
        done.sort((a, b) => a.run.performance - b.run.performance);
        const median = done[Math.floor((done.length - 1) / 2)]!;
        median.run.performanceRuns = done.map((d) => d.run.performance);
        out[name]![form] = median.run;
        await writeFile(`${REPORT_DIR}/lighthouse-${name}-${form}.json`, JSON.stringify(median.lhr));
      }
    }
  } finally {
    await chrome.kill();
  }
  return out;
}
