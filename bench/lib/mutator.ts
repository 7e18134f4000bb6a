/**
 * Issues mutations through the HTTP API at a steady rate, alternating between
 * the instances: half comments (one event each, never coalesced: exact loss
 * accounting), half votes (coalesced per project, as a real burst would be).
 */
import type { Cluster } from "./cluster.js";
import { progress } from "./log.js";
import { now, percentiles } from "./stats.js";

export interface MutationResult {
  issued: number;
  ok: number;
  failed: number;
  /** Comments that committed, per project id. */
  comments: Map<string, number>;
  /** When each mutation's response arrived (for the polling baseline). */
  committedAt: number[];
  http: ReturnType<typeof percentiles>;
}

export async function mutate(
  cluster: Cluster,
  opts: { rate: number; durationMs: number; projects: string[]; commentShare?: number; label?: string },
): Promise<MutationResult> {
  const total = Math.round((opts.rate * opts.durationMs) / 1000);
  const comments = new Map<string, number>();
  const committedAt: number[] = [];
  const httpTimes: number[] = [];
  let ok = 0;
  let failed = 0;
  const inflight = new Set<Promise<void>>();
  const t0 = now();
  let lastReport = t0;
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / opts.rate;
    const wait = due - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const base = cluster.instances[i % cluster.instances.length]!.url;
    const user = cluster.users[i % cluster.users.length]!;
    const project = opts.projects[i % opts.projects.length]!;
    const isComment = (i * 7919) % 100 < (opts.commentShare ?? 0.5) * 100;
    const started = now();
    const req = (
      isComment
        ? fetch(`${base}/api/projects/${project}/comments`, {
            method: "POST",
            headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
            body: JSON.stringify({ body: `bench comment ${i}` }),
          })
        : fetch(`${base}/api/projects/${project}/${i % 3 === 0 ? "downvote" : "upvote"}`, {
            method: "POST",
            headers: { authorization: `Bearer ${user.token}` },
          })
    ).then(
      async (res) => {
        await res.arrayBuffer();
        const t = now();
        httpTimes.push(t - started);
        if (res.ok) {
          ok++;
          committedAt.push(t);
          if (isComment) comments.set(project, (comments.get(project) ?? 0) + 1);
        } else failed++;
      },
      () => {
        failed++;
      },
    );
    const p = req.finally(() => inflight.delete(p));
    inflight.add(p);
    if (now() - lastReport > 5000) {
      lastReport = now();
      progress(`${opts.label ?? "mutations"}: ${i + 1}/${total} issued, ${ok} ok, ${failed} failed`);
    }
  }
  await Promise.all(inflight);
  return { issued: total, ok, failed, comments, committedAt, http: percentiles(httpTimes) };
}

/**
 * What a client polling every `periodMs` would see: a change becomes visible at
 * its next poll. Modelled from the run's real commit times, with every client's
 * poll phase drawn at random.
 */
export function pollingStaleness(committedAt: number[], periodMs = 30_000, clients = 200) {
  const samples: number[] = [];
  for (let c = 0; c < clients; c++) {
    const phase = Math.random() * periodMs;
    for (const t of committedAt) samples.push((((phase - t) % periodMs) + periodMs) % periodMs);
  }
  return percentiles(samples);
}
