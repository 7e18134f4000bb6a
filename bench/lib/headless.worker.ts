/**
 * Headless browser tabs: the web app's own freshness code (RealtimeClient,
 * RefetchScheduler, the invalidation map, TanStack Query) running without a
 * DOM, each with a project page's query mounted. Used to count the refetches
 * a burst of events makes real clients trigger.
 */
import { parentPort, workerData } from "node:worker_threads";
import { QueryObserver } from "@tanstack/react-query";
import { io } from "socket.io-client";
import { projectQueryOptions } from "../../web/src/features/projects/projects.queries.js";
import { createAppQueryClient } from "../../web/src/lib/query-client.js";
import type { AppSocket } from "../../web/src/lib/socket.js";
import { RealtimeClient } from "../../web/src/realtime/realtime-client.js";

interface Init {
  url: string;
  count: number;
  projectId: string;
}
const init = workerData as Init;

// The web client fetches same-origin paths (/api/…); here "the origin" is the instance.
let refetches = 0;
const realFetch = globalThis.fetch;
globalThis.fetch = (input: RequestInfo | URL, opts?: RequestInit) => {
  if (typeof input === "string" && input.startsWith("/")) {
    if (input.startsWith("/api/projects/")) refetches++;
    return realFetch(init.url + input, opts);
  }
  return realFetch(input, opts);
};

let envelopes = 0;
let initialLoads = 0;
const clients: RealtimeClient[] = [];

async function openTab() {
  const socket: AppSocket = io(init.url, { transports: ["websocket"], autoConnect: false });
  socket.onAny(() => envelopes++);
  const queryClient = createAppQueryClient();
  const observer = new QueryObserver(queryClient, projectQueryOptions(init.projectId));
  const loaded = new Promise<void>((resolve) => {
    const off = observer.subscribe((r) => {
      if (r.isSuccess) {
        off();
        observer.subscribe(() => {}); // stay mounted, as the open page is
        resolve();
      }
    });
  });
  const client = new RealtimeClient({
    socket,
    queryClient,
    path: () => `/projects/${init.projectId}`,
    debug: () => false,
    notify: () => {},
  });
  client.setUser(null);
  client.watchRoom(`project:${init.projectId}`);
  client.start();
  clients.push(client);
  await loaded;
  await new Promise<void>((resolve) => {
    const check = () => (client.lastSeq(`project:${init.projectId}`) !== undefined ? resolve() : setTimeout(check, 20));
    check();
  });
}

parentPort!.on("message", async (msg: { cmd: string }) => {
  if (msg.cmd === "open") {
    for (let i = 0; i < init.count; i += 25)
      await Promise.all(Array.from({ length: Math.min(25, init.count - i) }, () => openTab()));
    initialLoads = refetches;
    parentPort!.postMessage({ opened: true });
  } else if (msg.cmd === "reset") {
    refetches = 0;
    envelopes = 0;
    parentPort!.postMessage({ reset: true });
  } else if (msg.cmd === "report") {
    parentPort!.postMessage({ report: { refetches, envelopes, initialLoads, tabs: clients.length } });
  } else if (msg.cmd === "close") {
    for (const c of clients) c.stop();
    parentPort!.postMessage({ closed: true });
  }
});
