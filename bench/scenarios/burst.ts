/**
 * Scenario 4, burst: many votes on one project in a few seconds while hundreds
 * of open project pages watch it. Counts the refetches those pages trigger (the
 * web client's own batching, running headless) against one per event, and the
 * database work the burst causes.
 */
import { Worker } from "node:worker_threads";
import type { Cluster } from "../lib/cluster.js";
import { counter } from "../lib/http.js";
import { progress } from "../lib/log.js";
import { now } from "../lib/stats.js";

export interface BurstOptions {
  votes: number;
  watchers: number;
  seconds: number;
}

interface TabReport {
  refetches: number;
  envelopes: number;
  initialLoads: number;
  tabs: number;
}

function ask<T>(w: Worker, cmd: string, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const on = (m: Record<string, unknown>) => {
      if (key in m) {
        w.off("message", on);
        resolve(m[key] as T);
      }
    };
    w.on("message", on);
    w.once("error", reject);
    w.postMessage({ cmd });
  });
}

export async function burst(cluster: Cluster, opts: BurstOptions) {
  if (cluster.users.length < opts.votes)
    throw new Error(`burst needs ${opts.votes} users, the cluster has ${cluster.users.length}`);
  const projectId = cluster.projectIds[0]!;
  const urls = cluster.instances.map((i) => i.url);
  progress(`burst: opening ${opts.watchers} headless project pages`);
  const workers = urls.map(
    (url, i) =>
      new Worker(new URL("../lib/ts-worker.mjs", import.meta.url), {
        workerData: {
          entry: new URL("../lib/headless.worker.ts", import.meta.url).href,
          url,
          projectId,
          count: Math.floor(opts.watchers / urls.length) + (i < opts.watchers % urls.length ? 1 : 0),
        },
      }),
  );
  try {
    await Promise.all(workers.map((w) => ask(w, "open", "opened")));
    await Promise.all(workers.map((w) => ask(w, "reset", "reset")));
    const db = async () =>
      Number(
        (
          await cluster.sql.query(
            `SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`,
          )
        ).rows[0].n,
      );
    const loads = async () =>
      (await counter(urls, "zs_cache_requests_total", { result: "miss" })) +
      (await counter(urls, "zs_cache_refreshes_total"));
    const [db0, loads0] = [await db(), await loads()];
    progress(`burst: ${opts.votes} votes on one project in ${opts.seconds}s`);
    const t0 = now();
    let ok = 0;
    const failures: string[] = [];
    const perVote = (opts.seconds * 1000) / opts.votes;
    await Promise.all(
      Array.from({ length: opts.votes }, async (_, i) => {
        const wait = t0 + i * perVote - now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const u = cluster.users[i]!;
        const res = await fetch(
          `${urls[i % urls.length]}/api/projects/${projectId}/${i % 5 === 0 ? "downvote" : "upvote"}`,
          {
            method: "POST",
            headers: { authorization: `Bearer ${u.token}` },
          },
        );
        const body = await res.text();
        if (res.ok) ok++;
        else if (failures.length < 5) failures.push(`${res.status} ${body.slice(0, 200)}`);
      }),
    );
    const elapsed = (now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 1500)); // the last refetches
    const seconds = (now() - t0) / 1000;
    const [db1, loads1] = [await db(), await loads()];
    const reports = await Promise.all(workers.map((w) => ask<TabReport>(w, "report", "report")));
    const sum = (k: keyof TabReport) => reports.reduce((a, r) => a + r[k], 0);
    const check = (await (await fetch(`${urls[0]}/api/projects/${projectId}`)).json()) as {
      upvotes: number;
      downvotes: number;
    };
    const rows = (
      await cluster.sql.query(
        `SELECT count(*) FILTER (WHERE value = 1)::int AS up, count(*) FILTER (WHERE value = -1)::int AS down FROM votes WHERE project_id = $1`,
        [projectId],
      )
    ).rows[0];
    return {
      votes: opts.votes,
      votesOk: ok,
      voteSeconds: Math.round(elapsed * 100) / 100,
      watchers: sum("tabs"),
      envelopesReceived: sum("envelopes"),
      refetchesNaive: sum("envelopes"), // one per event, what a client without batching would do
      refetches: sum("refetches"),
      refetchesPerWatcher: Math.round((sum("refetches") / Math.max(1, sum("tabs"))) * 10) / 10,
      databaseTransactionsPerSecond: Math.round((db1 - db0) / seconds),
      cacheLoads: loads1 - loads0,
      countsMatchRows: check.upvotes === rows.up && check.downvotes === rows.down,
      failures,
    };
  } finally {
    await Promise.all(workers.map((w) => ask(w, "close", "closed").catch(() => {})));
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
