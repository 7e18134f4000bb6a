/**
 * Scenario 2b, browser freshness per kind of change: for each kind (vote,
 * comment, title edit, new project on Newest, profile rename, badge, DM,
 * intro, notification on the notifications page and on the header's bell),
 * a change made on instance 0 and a page on instance 1 that shows it.
 * The time runs from the request leaving the actor's page (stamped in the
 * page, like a click: `performance.timeOrigin + now()`) to the observer's DOM
 * showing the change (a MutationObserver stamp, e2e/support/freshness-probe.ts),
 * so it covers the whole path a person sees: API, commit, invalidation,
 * Redis fan-out, event, the web client's refetch scheduling, the refetch, render.
 * Actions go through the actor page's fetch with the acting user's bearer token
 * (many users act, so per-user limits and one-pending-intro-per-pair hold).
 */
import { type Browser, type BrowserContext, chromium, type Page } from "@playwright/test";
import { addProbe, arm, type DomCondition, seenAt } from "../../e2e/support/freshness-probe.js";
import type { Cluster } from "../lib/cluster.js";
import { progress } from "../lib/log.js";
import { percentiles } from "../lib/stats.js";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export const KINDS = [
  "vote",
  "comment",
  "title edit",
  "new project",
  "profile rename",
  "badge",
  "direct message",
  "intro",
  "notification",
  "notification bell",
] as const;
export type Kind = (typeof KINDS)[number];

interface Action {
  method: string;
  path: string;
  body?: unknown;
  token: string;
}

interface Sample {
  /** Where the observer must be (navigated to before the action when it changes). */
  observerPath: string;
  /** Runs in the observer's page once it shows the path, just before the action: the condition's text (a count to come). */
  expected?: (view: Page) => Promise<string>;
  /** Rooms the observer page must have joined first. */
  rooms: string[];
  observerToken: string | null;
  action: Action;
  condition: DomCondition;
}

const uniq = () => Math.random().toString(36).slice(2, 8);

/**
 * Stamps every WebSocket frame the page receives (same clock as the probe), so
 * each sample splits into the server's part (action → the event's frame at the
 * observer) and the page's (frame → DOM: refetch scheduling, the refetch, render).
 * A string for the same reason as the probe's (tsx's __name helper).
 */
const FRAME_STAMPS = `(() => {
  if (window.__zsFrames) return;
  window.__zsFrames = [];
  performance.setResourceTimingBufferSize(10000);
  const Native = window.WebSocket;
  const Stamped = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener("message", () => window.__zsFrames.push(performance.timeOrigin + performance.now()));
    return ws;
  };
  Stamped.prototype = Native.prototype;
  for (const k of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Stamped[k] = Native[k];
  window.WebSocket = Stamped;
})();`;

/**
 * The API read the observer made after the event's frame and the moment it
 * ended (null: the page changed without one, i.e. from the event alone).
 */
async function refetchAfter(page: Page, frame: number): Promise<{ start: number; end: number } | null> {
  return page.evaluate((f) => {
    const origin = performance.timeOrigin;
    const reads = performance
      .getEntriesByType("resource")
      .filter((e) => e.name.includes("/api/") && origin + e.startTime >= f)
      .map((e) => ({ start: origin + e.startTime, end: origin + (e as PerformanceResourceTiming).responseEnd }));
    return reads.length
      ? { start: Math.min(...reads.map((r) => r.start)), end: Math.max(...reads.map((r) => r.end)) }
      : null;
  }, frame);
}

/** The first frame the observer received at or after `at` (null: none yet). */
async function firstFrameAfter(page: Page, at: number): Promise<number | null> {
  return page.evaluate(
    (t) => (window as unknown as { __zsFrames: number[] }).__zsFrames.find((f) => f >= t) ?? null,
    at,
  );
}

async function openPage(browser: Browser, contexts: BrowserContext[], url: string, token: string | null) {
  const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  await addProbe(context);
  await context.addInitScript({ content: FRAME_STAMPS });
  if (token) await context.addCookies([{ name: "zs_session", value: token, url, httpOnly: true, sameSite: "Lax" }]);
  const page = await context.newPage();
  const lines: string[] = [];
  page.on("console", (m) => {
    if (m.text().startsWith("[zerostale]")) lines.push(m.text());
  });
  return { page, lines };
}

/** Navigates and waits until every room the view shows is acknowledged (the app's debug log). */
async function showAndListen(view: { page: Page; lines: string[] }, path: string, rooms: string[]) {
  view.lines.length = 0;
  await view.page.evaluate(() => localStorage.setItem("zerostaleDebug", "1")).catch(() => {});
  await view.page.goto(path);
  await view.page.evaluate(() => localStorage.setItem("zerostaleDebug", "1"));
  const deadline = Date.now() + 15_000;
  while (!rooms.every((r) => view.lines.some((l) => l.includes(`subscribed ${r} at`)))) {
    if (Date.now() > deadline) throw new Error(`${path} did not join ${rooms.join(", ")}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await view.page.evaluate(() => localStorage.removeItem("zerostaleDebug"));
  // Let the refetches that the subscriptions caused settle, so they are not what we time.
  await view.page.waitForTimeout(150);
}

/** Sends the request from the actor page; returns the in-page stamp taken just before it left. */
async function act(actor: Page, a: Action): Promise<number> {
  const { at, status, text } = await actor.evaluate(async (req) => {
    const headers: Record<string, string> = { authorization: `Bearer ${req.token}`, accept: "application/json" };
    if (req.body !== undefined) headers["content-type"] = "application/json";
    const at = performance.timeOrigin + performance.now();
    const res = await fetch(`/api${req.path}`, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
    });
    return { at, status: res.status, text: res.ok ? "" : await res.text() };
  }, a);
  if (status >= 400) throw new Error(`${a.method} ${a.path} → ${status} ${text}`);
  return at;
}

export async function browserKinds(cluster: Cluster, opts: { samples: number; timeoutMs?: number }) {
  const [url0, url1] = [cluster.instances[0]!.url, cluster.instances[1 % cluster.instances.length]!.url];
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const { sql } = cluster;
  const users = cluster.users;
  const byId = new Map(users.map((u) => [u.id, u]));
  const projectId = cluster.projectIds.at(-1)!;
  const ownerId = (await sql.query<{ owner_id: string }>("SELECT owner_id FROM projects WHERE id = $1", [projectId]))
    .rows[0]!.owner_id;
  const owner = byId.get(ownerId);
  if (!owner) throw new Error("the project's owner has no bench session");
  const others = users.filter((u) => u.id !== ownerId);
  const voter = others[0]!;
  const admin = others[1]!;
  const recipient = others[2]!;
  const senders = others.slice(3);
  await sql.query("UPDATE users SET role = 'admin' WHERE id = $1", [admin.id]);
  const unbadged = (
    await sql.query<{ id: string }>(
      "SELECT id FROM projects p WHERE NOT EXISTS (SELECT 1 FROM badges b WHERE b.project_id = p.id) ORDER BY created_at LIMIT $1",
      [opts.samples],
    )
  ).rows.map((r) => r.id);
  const n = Math.min(opts.samples, senders.length);
  // The recipient owns a project: comments on it notify them (SPEC "Notifications").
  const recipientProject = (
    await sql.query<{ id: string }>(
      `INSERT INTO projects (owner_id, title, description, tags) VALUES ($1, 'Bench inbox project', 'Comments here notify its owner', ARRAY['bench'])
       RETURNING id::text`,
      [recipient.id],
    )
  ).rows[0]!.id;

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    headless: true,
  });
  const contexts: BrowserContext[] = [];
  const results: Partial<
    Record<
      Kind,
      ReturnType<typeof percentiles> & {
        missed: number;
        samples: number[];
        /** Action → the event's frame at the observer (the server's part). */
        toEvent: ReturnType<typeof percentiles>;
        /** Frame → the observer's refetch starting (scheduling), and the refetch itself, when one preceded the update. */
        eventToRefetch: ReturnType<typeof percentiles>;
        refetch: ReturnType<typeof percentiles>;
      }
    >
  > = {};
  try {
    const actor = await openPage(browser, contexts, url0, null);
    await actor.page.goto("/leaderboard");
    const anon = await openPage(browser, contexts, url1, null);
    const asRecipient = await openPage(browser, contexts, url1, recipient.token);

    const projectPath = `/projects/${projectId}`;
    const projectRooms = ["feed", `project:${projectId}`];
    // The voter starts without a vote (DELETE fires the triggers; nobody watches yet).
    await sql.query("DELETE FROM votes WHERE project_id = $1 AND user_id = $2", [projectId, voter.id]);
    const scoreNow = Number(
      (
        await sql.query<{ s: number }>("SELECT COALESCE(SUM(value), 0)::int AS s FROM votes WHERE project_id = $1", [
          projectId,
        ])
      ).rows[0]!.s,
    );

    const plan: Record<Kind, (i: number) => Sample> = {
      vote: (i) => ({
        observerPath: projectPath,
        rooms: projectRooms,
        observerToken: null,
        action:
          i % 2 === 0
            ? { method: "POST", path: `${projectPath}/upvote`, token: voter.token }
            : { method: "DELETE", path: `${projectPath}/vote`, token: voter.token },
        condition: { selector: '.vote [data-testid="score"]', text: String(i % 2 === 0 ? scoreNow + 1 : scoreNow) },
      }),
      comment: () => {
        const body = `Bench comment ${uniq()}`;
        return {
          observerPath: projectPath,
          rooms: projectRooms,
          observerToken: null,
          action: { method: "POST", path: `${projectPath}/comments`, body: { body }, token: voter.token },
          condition: { selector: ".comment-body", text: body, match: "contains" },
        };
      },
      "title edit": () => {
        const title = `Bench title ${uniq()}`;
        return {
          observerPath: projectPath,
          rooms: projectRooms,
          observerToken: null,
          action: { method: "PATCH", path: projectPath, body: { title }, token: owner.token },
          condition: { selector: "#project-title", text: title },
        };
      },
      "new project": (i) => {
        const title = `Bench new ${uniq()}`;
        return {
          observerPath: "/?sort=newest",
          rooms: ["feed"],
          observerToken: null,
          action: {
            method: "POST",
            path: "/projects",
            body: { title, description: "Made by the per-kind browser bench", tags: [] },
            token: senders[i]!.token,
          },
          condition: { selector: ".project-card-title", text: title },
        };
      },
      "profile rename": () => {
        const name = `Bench Owner ${uniq()}`;
        return {
          observerPath: `/users/${ownerId}`,
          rooms: ["feed"],
          observerToken: null,
          action: { method: "PATCH", path: "/users/me", body: { name }, token: owner.token },
          condition: { selector: "h1", text: name },
        };
      },
      badge: (i) => ({
        observerPath: `/projects/${unbadged[i]}`,
        rooms: ["feed", `project:${unbadged[i]}`],
        observerToken: null,
        action: {
          method: "POST",
          path: `/projects/${unbadged[i]}/badges`,
          body: { kind: "staff_pick" },
          token: admin.token,
        },
        condition: { selector: ".project-head .badge-list li", text: "Staff pick", match: "contains" },
      }),
      "direct message": () => {
        const body = `Bench message ${uniq()}`;
        return {
          observerPath: `/messages/${senders[0]!.id}`,
          rooms: ["feed", `user:${recipient.id}`],
          observerToken: recipient.token,
          action: {
            method: "POST",
            path: "/messages",
            body: { toUserId: recipient.id, body },
            token: senders[0]!.token,
          },
          condition: { selector: ".bubble-text", text: body },
        };
      },
      notification: (i) => {
        const body = `Bench notice ${uniq()}`;
        return {
          observerPath: "/notifications",
          rooms: ["feed", `user:${recipient.id}`],
          observerToken: recipient.token,
          action: {
            method: "POST",
            path: `/projects/${recipientProject}/comments`,
            body: { body },
            token: senders[i]!.token,
          },
          condition: { selector: ".notification-body", text: body, match: "contains" },
        };
      },
      "notification bell": (i) => ({
        observerPath: "/",
        rooms: ["feed", `user:${recipient.id}`],
        observerToken: recipient.token,
        expected: async (view) =>
          String(Number((await view.locator('[data-testid="notification-count"]').textContent()) ?? 0) + 1),
        action: {
          method: "POST",
          path: `/projects/${recipientProject}/comments`,
          body: { body: `Bench bell ${uniq()}` },
          token: senders[i]!.token,
        },
        condition: { selector: '[data-testid="notification-count"]', text: "" },
      }),
      intro: (i) => {
        const message = `Bench intro ${uniq()}`;
        return {
          observerPath: "/intros",
          rooms: ["feed", `user:${recipient.id}`],
          observerToken: recipient.token,
          action: {
            method: "POST",
            path: "/intros",
            body: { toUserId: recipient.id, message },
            token: senders[i]!.token,
          },
          condition: { selector: ".intro-message", text: message },
        };
      },
    };

    for (const kind of KINDS) {
      const ms: number[] = [];
      const toEvent: number[] = [];
      const toRefetch: number[] = [];
      const refetch: number[] = [];
      let missed = 0;
      let shown = "";
      const count = kind === "badge" ? Math.min(n, unbadged.length) : n;
      for (let i = 0; i < count; i++) {
        const s = plan[kind](i);
        const view = s.observerToken ? asRecipient : anon;
        if (shown !== `${s.observerToken}${s.observerPath}`) {
          await showAndListen(view, s.observerPath, s.rooms);
          shown = `${s.observerToken}${s.observerPath}`;
        }
        if (s.expected) s.condition.text = await s.expected(view.page);
        const key = await arm(view.page, s.condition);
        if (key === null) throw new Error(`${kind}: the observer already shows ${s.condition.text}`);
        const at = await act(actor.page, s.action);
        try {
          const seen = await seenAt(view.page, key, timeoutMs);
          ms.push(seen - at);
          const frame = await firstFrameAfter(view.page, at);
          if (frame !== null) {
            toEvent.push(frame - at);
            const read = await refetchAfter(view.page, frame);
            if (read && read.start < seen) {
              toRefetch.push(read.start - frame);
              refetch.push(Math.min(read.end, seen) - read.start);
            }
          }
        } catch {
          missed++;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const r = {
        ...percentiles(ms),
        /** Each sample's click → update (ms), in the order taken: where the tail comes from. */
        samples: ms.map((x) => Math.round(x * 10) / 10),
        missed,
        toEvent: percentiles(toEvent),
        eventToRefetch: percentiles(toRefetch),
        refetch: percentiles(refetch),
      };
      results[kind] = r;
      progress(
        `browser-kinds: ${kind} p50 ${r.p50} ms, p95 ${r.p95} ms (n ${ms.length}, missed ${missed}); event at the observer p50 ${r.toEvent.p50} / p95 ${r.toEvent.p95}; refetch starts ${r.eventToRefetch.p50} / ${r.eventToRefetch.p95} after it and takes ${r.refetch.p50} / ${r.refetch.p95} (n ${refetch.length})`,
      );
    }
    return results;
  } finally {
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
    await browser.close();
    await sql.query("UPDATE users SET role = 'user' WHERE id = $1", [admin.id]).catch(() => {});
  }
}

/**
 * The machine's floor for any write: one-row INSERTs committed (durably, as the
 * app commits) at a steady `rate` on the cluster's own database, client-side
 * latency. Every kind of change waits for at least one such commit, so its
 * tail bounds theirs. (On this VM the WAL flush has p50 ≈ 1 ms but stalls of
 * 100–500 ms: measured with pgbench at 20 commits/s, p95 70 / p99 354 ms.)
 */
export async function commitLatency(cluster: Cluster, opts: { rate: number; seconds: number }) {
  const { sql } = cluster;
  await sql.query("CREATE TABLE zs_bench_commit (id bigserial PRIMARY KEY, body text NOT NULL)");
  const lat: number[] = [];
  try {
    const n = Math.round(opts.rate * opts.seconds);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const due = t0 + (i * 1000) / opts.rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t = performance.now();
      await sql.query("INSERT INTO zs_bench_commit (body) VALUES ($1)", [`commit ${i}`]);
      lat.push(performance.now() - t);
    }
  } finally {
    await sql.query("DROP TABLE zs_bench_commit");
  }
  const r = percentiles(lat);
  const setting = (await sql.query<{ synchronous_commit: string }>("SHOW synchronous_commit")).rows[0]!
    .synchronous_commit;
  progress(
    `commit latency (synchronous_commit ${setting}), ${r.count} one-row commits at ${opts.rate}/s: p50 ${r.p50} / p95 ${r.p95} / p99 ${r.p99} / max ${r.max} ms`,
  );
  return { ...r, rate: opts.rate, synchronousCommit: setting };
}

/** The instances' DATABASE_URL with commits that do not wait for the WAL flush (a diagnostic run only: ADR 022). */
export function withoutCommitWait(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set("options", "-c synchronous_commit=off");
  return url.toString();
}
