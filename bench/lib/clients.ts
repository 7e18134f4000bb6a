/** A pool of worker threads, each hosting a share of the benchmark's Socket.IO clients. */
import { Worker } from "node:worker_threads";
import type { WorkerInit } from "./clients.worker.js";
import { Histogram } from "./stats.js";

export interface ClientReport {
  comment: Histogram;
  all: Histogram;
  /** Sequence gaps seen (each makes a careful client refetch). */
  gaps: number;
  duplicated: number;
  resyncs: number;
  reconnects: number;
  commentsFeed: number;
  commentsProject: number;
  connected: number;
  perClient: { feedComments: number; repairs: number }[];
}

export class ClientPool {
  private constructor(private readonly workers: Worker[]) {}

  static async start(opts: Omit<WorkerInit, "count" | "offset"> & { clients: number; workers?: number }) {
    const n =
      opts.workers ??
      Number(process.env.BENCH_CLIENT_WORKERS ?? Math.min(4, Math.max(1, Math.ceil(opts.clients / 500))));
    const per = Math.ceil(opts.clients / n);
    const workers: Worker[] = [];
    for (let w = 0; w < n; w++) {
      const count = Math.min(per, opts.clients - w * per);
      if (count <= 0) break;
      const init: WorkerInit = { mode: opts.mode, urls: opts.urls, projects: opts.projects, count, offset: w * per };
      workers.push(
        new Worker(new URL("./ts-worker.mjs", import.meta.url), {
          workerData: { ...init, entry: new URL("./clients.worker.ts", import.meta.url).href },
        }),
      );
    }
    const pool = new ClientPool(workers);
    await pool.ask("connect", "ready");
    return pool;
  }

  private ask(cmd: string, key: string): Promise<unknown[]> {
    return Promise.all(
      this.workers.map(
        (w) =>
          new Promise((resolve, reject) => {
            const done = () => {
              w.off("message", onMessage);
              w.off("error", reject);
            };
            const onMessage = (m: Record<string, unknown>) => {
              if (m.error) {
                done();
                reject(new Error(String(m.error)));
              } else if (key in m) {
                done();
                resolve(m[key]);
              }
            };
            w.on("message", onMessage);
            w.on("error", reject);
            w.postMessage({ cmd });
          }),
      ),
    );
  }

  async reset() {
    await this.ask("reset", "reset");
  }

  async report(): Promise<ClientReport> {
    const parts = (await this.ask("report", "report")) as (Omit<ClientReport, "comment" | "all" | "perClient"> & {
      perClient: ClientReport["perClient"];
      comment: ReturnType<Histogram["toJSON"]>;
      all: ReturnType<Histogram["toJSON"]>;
    })[];
    const total: ClientReport = {
      comment: new Histogram(),
      all: new Histogram(),
      gaps: 0,
      duplicated: 0,
      resyncs: 0,
      reconnects: 0,
      commentsFeed: 0,
      commentsProject: 0,
      connected: 0,
      perClient: [],
    };
    for (const p of parts) {
      total.comment.merge(Histogram.from(p.comment));
      total.all.merge(Histogram.from(p.all));
      for (const k of [
        "gaps",
        "duplicated",
        "resyncs",
        "reconnects",
        "commentsFeed",
        "commentsProject",
        "connected",
      ] as const)
        total[k] += p[k];
    }
    return total;
  }

  async close() {
    await this.ask("close", "closed").catch(() => {});
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
