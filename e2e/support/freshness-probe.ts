/**
 * Click-to-update latency, timed inside the pages. Every page gets a probe
 * (an init script) that stamps the last click or Enter with
 * `performance.timeOrigin + performance.now()`, and that can watch for a DOM
 * condition with a MutationObserver and stamp the moment it first holds. Both
 * clocks are the same wall clock across contexts (they agree within ~0.4 ms,
 * TOOLCHAIN.md), so observer stamp minus actor stamp is the latency a person
 * would see, without Playwright's polling in the way. Shared by the e2e specs
 * and the browser benchmark.
 */
import type { BrowserContext, Page } from "@playwright/test";

/** A DOM condition, checked in the page: some `selector` (inside `within`, if given) shows `text`. */
export interface DomCondition {
  selector: string;
  text: string;
  /** `exact` (default) compares the trimmed, whitespace-collapsed text; `contains` looks for it. */
  match?: "exact" | "contains";
  /** Only look inside elements matching this selector whose text contains `hasText`. */
  within?: { selector: string; hasText: string };
}

interface Probe {
  lastInput: number | null;
  seen: Record<string, number | null>;
  watch(key: string, condition: DomCondition): boolean;
}

declare global {
  interface Window {
    __zsProbe?: Probe;
  }
}

/**
 * Runs in the page before the app does. A string, not a function: tsx (the
 * benchmark runs under it) wraps named functions in a `__name` helper that
 * does not exist in the page.
 */
const PROBE_SOURCE = `(() => {
  if (window.__zsProbe) return;
  const now = () => performance.timeOrigin + performance.now();
  const norm = (s) => (s || "").replace(/\\s+/g, " ").trim();
  const holds = (c) => {
    const scopes = c.within
      ? [...document.querySelectorAll(c.within.selector)].filter((el) => norm(el.textContent).includes(c.within.hasText))
      : [document];
    for (const scope of scopes)
      for (const el of scope.querySelectorAll(c.selector)) {
        const t = norm(el.textContent);
        if (c.match === "contains" ? t.includes(c.text) : t === c.text) return true;
      }
    return false;
  };
  const probe = {
    lastInput: null,
    seen: {},
    watch(key, condition) {
      if (holds(condition)) return true;
      probe.seen[key] = null;
      const observer = new MutationObserver(() => {
        if (!holds(condition)) return;
        probe.seen[key] = now();
        observer.disconnect();
      });
      observer.observe(document.documentElement, { subtree: true, childList: true, characterData: true, attributes: true });
      return false;
    },
  };
  // Capture phase: stamped before the app's own handlers run.
  addEventListener("click", () => { probe.lastInput = now(); }, true);
  addEventListener("keydown", (e) => { if (e.key === "Enter") probe.lastInput = now(); }, true);
  window.__zsProbe = probe;
})();`;

export async function addProbe(context: BrowserContext) {
  await context.addInitScript({ content: PROBE_SOURCE });
}

export interface Observation {
  /** Who sees what, e.g. "B sees the score". */
  label: string;
  page: Page;
  condition: DomCondition;
}

export interface Measured {
  label: string;
  ms: number;
}

let watchCounter = 0;

/** Starts watching for `condition` in `page`; null when it already holds (nothing left to measure). */
export async function arm(page: Page, condition: DomCondition): Promise<string | null> {
  const key = `w${++watchCounter}`;
  const already = await page.evaluate(({ key, c }) => window.__zsProbe!.watch(key, c), { key, c: condition });
  return already ? null : key;
}

/** Forgets the last click, so the next stamp belongs to the coming action. */
export async function resetInput(page: Page) {
  await page.evaluate(() => {
    window.__zsProbe!.lastInput = null;
  });
}

/** When the last click or Enter happened in `page` (page clock, ms since the epoch). */
export async function lastInput(page: Page): Promise<number | null> {
  return page.evaluate(() => window.__zsProbe!.lastInput);
}

/** When an armed condition first held (page clock), waiting up to `timeoutMs`. */
export async function seenAt(page: Page, key: string, timeoutMs: number): Promise<number> {
  const handle = await page.waitForFunction((k) => window.__zsProbe!.seen[k], key, { timeout: timeoutMs });
  return (await handle.jsonValue()) as number;
}

/**
 * Arms every observation, runs `act` (which clicks or presses Enter in
 * `actor`), waits until each observer's DOM shows the condition and returns
 * the latencies. An observation that already holds before the action is a
 * mistake in the test and throws, so a latency can never be measured against
 * a screen that was already right.
 */
export async function measureClickToUpdate(
  actor: Page,
  act: () => Promise<unknown>,
  observations: Observation[],
  timeoutMs = 15_000,
): Promise<Measured[]> {
  const keys = await Promise.all(
    observations.map(async (o) => {
      const key = await arm(o.page, o.condition);
      if (key === null) throw new Error(`"${o.label}" already holds before the action; nothing to measure`);
      return key;
    }),
  );
  await resetInput(actor);
  await act();
  const clickedAt = await lastInput(actor);
  if (clickedAt === null) throw new Error("the action did not click or press Enter in the acting page");
  return Promise.all(
    observations.map(async (o, i) => {
      try {
        const at = await seenAt(o.page, keys[i]!, timeoutMs);
        return { label: o.label, ms: Math.round((at - clickedAt) * 100) / 100 };
      } catch (err) {
        throw new Error(
          `"${o.label}" did not appear within ${timeoutMs} ms (${JSON.stringify(o.condition)}): ${(err as Error).message}`,
        );
      }
    }),
  );
}
