/**
 * Scenario 2, browser freshness: real Chromium pages, as people would have
 * them open. One signed-in actor presses Upvote on a project page (each press
 * toggles the vote, so the score goes up and back down); observers, anonymous
 * and spread over every instance, show the same project. For each press, the
 * time from the click in the actor's page to the new score in each observer's
 * DOM, both stamped inside the pages (`performance.timeOrigin + now()`: one
 * clock across contexts, TOOLCHAIN.md), not by the runner, whose polling
 * would add tens of milliseconds.
 */
import { type BrowserContext, chromium, type Page } from "@playwright/test";
import { addProbe, arm, lastInput, resetInput, seenAt } from "../../e2e/support/freshness-probe.js";
import type { Cluster } from "../lib/cluster.js";
import { progress } from "../lib/log.js";
import { percentiles } from "../lib/stats.js";

export interface BrowserFreshnessOptions {
  /** Presses of Upvote (at least 100 for the full run, ~20 for --quick). */
  mutations: number;
  /** App instances; observer i opens instance i % baseUrls.length, the actor the first one. */
  baseUrls: string[];
  /** Session token of the user who votes (any user; it is put in as the session cookie). */
  actorToken: string;
  /** The project everybody looks at. */
  projectId: string;
  /** Observer pages (default 4). */
  observers?: number;
  /** Pause between presses, so each one is a lone change as a person makes it (default 50 ms). */
  pauseMs?: number;
  /** How long an observer may take before its update counts as missed (default 10 s). */
  timeoutMs?: number;
  /** Chromium to drive (default Debian's, /usr/bin/chromium). */
  executablePath?: string;
}

export const BROWSER_FULL = { mutations: 120, observers: 4 } as const;
export const BROWSER_QUICK = { mutations: 20, observers: 2 } as const;

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

interface Observer {
  page: Page;
  url: string;
  ms: number[];
}

export async function browserFreshness(opts: BrowserFreshnessOptions) {
  const observersWanted = opts.observers ?? 4;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const pauseMs = opts.pauseMs ?? 50;
  const path = `/projects/${opts.projectId}`;
  const browser = await chromium.launch({
    executablePath: opts.executablePath ?? process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    headless: true,
  });
  const contexts: BrowserContext[] = [];
  const open = async (url: string, token?: string) => {
    const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    await addProbe(context);
    // The app logs the rooms it joins while its debug switch is on: how we know a page listens.
    await context.addInitScript(() => {
      try {
        localStorage.setItem("zerostaleDebug", "1");
      } catch {}
    });
    if (token) await context.addCookies([{ name: "zs_session", value: token, url, httpOnly: true, sameSite: "Lax" }]);
    const page = await context.newPage();
    const joined = new Promise<void>((resolve) => {
      const onLog = (m: { text(): string }) => {
        if (!m.text().includes(`subscribed project:${opts.projectId} at`)) return;
        page.off("console", onLog);
        resolve();
      };
      page.on("console", onLog);
    });
    await page.goto(path);
    await page.getByTestId("score").waitFor();
    await Promise.race([
      joined,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`${url}${path} did not join its room`)), 15_000)),
    ]);
    // Listening now; logging every event would only slow the page down.
    await page.evaluate(() => localStorage.removeItem("zerostaleDebug"));
    return page;
  };

  try {
    progress(`browser: opening 1 actor and ${observersWanted} observer pages on ${opts.baseUrls.length} instance(s)`);
    const actor = await open(opts.baseUrls[0]!, opts.actorToken);
    const observers: Observer[] = [];
    for (let i = 0; i < observersWanted; i++) {
      const url = opts.baseUrls[i % opts.baseUrls.length]!;
      observers.push({ page: await open(url), url, ms: [] });
    }
    const upvote = actor.getByRole("button", { name: "Upvote", exact: true });
    const showsScore = (value: number | string) =>
      actor.getByTestId("score").filter({ hasText: new RegExp(`^${value}$`) });
    // Start from "not voted" (the bench data may hold a vote of the actor's), so presses alternate +1 / −1.
    for (const [name, change] of [
      ["Upvote", -1],
      ["Downvote", 1],
    ] as const) {
      const button = actor.getByRole("button", { name, exact: true });
      if ((await button.getAttribute("aria-pressed")) !== "true") continue;
      const before = Number(await actor.getByTestId("score").textContent());
      await button.click();
      await showsScore(before + change).waitFor();
      await actor.getByRole("button", { name, pressed: false, exact: true }).waitFor();
    }
    const base = Number(await actor.getByTestId("score").textContent());

    let missed = 0;
    let preSatisfied = 0;
    const startedAt = Date.now();
    progress(`browser: ${opts.mutations} presses of Upvote, ${observers.length} observers each`);
    for (let i = 0; i < opts.mutations; i++) {
      const expected = String(i % 2 === 0 ? base + 1 : base);
      const condition = { selector: '[data-testid="score"]', text: expected };
      const keys = await Promise.all(observers.map((o) => arm(o.page, condition)));
      await resetInput(actor);
      await upvote.click();
      const clickedAt = await lastInput(actor);
      if (clickedAt === null) throw new Error("the click did not reach the actor's page");
      await Promise.all(
        observers.map(async (o, k) => {
          const key = keys[k];
          // Already showing the new score before the click: it cannot have been right, so nothing to time.
          if (key === null || key === undefined) {
            preSatisfied++;
            return;
          }
          try {
            o.ms.push((await seenAt(o.page, key, timeoutMs)) - clickedAt);
          } catch {
            missed++;
          }
        }),
      );
      // The actor's own page settles on the server's answer before the next press.
      await showsScore(expected).waitFor({ timeout: timeoutMs });
      await new Promise((r) => setTimeout(r, pauseMs));
      if ((i + 1) % Math.max(1, Math.floor(opts.mutations / 5)) === 0 || i + 1 === opts.mutations) {
        const sofar = percentiles(observers.flatMap((o) => o.ms));
        progress(
          `browser: ${i + 1}/${opts.mutations} presses, click-to-update p50 ${sofar.p50} ms, p95 ${sofar.p95} ms`,
        );
      }
    }

    const all = observers.flatMap((o) => o.ms);
    const byInstance = Object.fromEntries(
      opts.baseUrls.map((url) => [url, percentiles(observers.filter((o) => o.url === url).flatMap((o) => o.ms))]),
    );
    return {
      mutations: opts.mutations,
      observers: observers.length,
      instances: opts.baseUrls.length,
      clickToUpdateMs: percentiles(all),
      byInstance,
      updatesExpected: opts.mutations * observers.length,
      updatesSeen: all.length,
      missed,
      preSatisfied,
      durationS: Math.round((Date.now() - startedAt) / 100) / 10,
    };
  } finally {
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
    await browser.close();
  }
}

/**
 * The same on a bench cluster: its last user votes on its last project (the
 * other scenarios use the first ones), observers on every instance.
 */
export async function browserFreshnessOn(
  cluster: Cluster,
  opts: Partial<Omit<BrowserFreshnessOptions, "baseUrls" | "actorToken" | "projectId">> & { quick?: boolean } = {},
) {
  const preset = opts.quick ? BROWSER_QUICK : BROWSER_FULL;
  return browserFreshness({
    ...preset,
    ...opts,
    baseUrls: cluster.instances.map((i) => i.url),
    actorToken: cluster.users.at(-1)!.token,
    projectId: cluster.projectIds.at(-1)!,
  });
}
