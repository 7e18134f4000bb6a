/**
 * A worker thread hosting many Socket.IO clients: it connects them, subscribes
 * each to `feed` and one project room, and records per envelope the latency
 * from commit (`at`) to arrival, plus sequence gaps (each makes a careful client refetch) and repeats
 * (duplicated) per client and room, exactly as a careful client would see them.
 */
import { parentPort, workerData } from "node:worker_threads";
import { io, type Socket } from "socket.io-client";
import { Histogram, now } from "./stats.js";

export interface WorkerInit {
  mode: "app" | "raw";
  urls: string[];
  count: number;
  offset: number;
  projects: string[];
}

interface Envelope {
  type: string;
  room: string;
  seq: number;
  at: string;
}

const init = workerData as WorkerInit;
const hist = { comment: new Histogram(), all: new Histogram() };
/** Sequence gaps seen (events: a careful client refetches what the room covers at each). */
let gaps = 0;
let duplicated = 0;
let resyncs = 0;
let reconnects = 0;
let commentsFeed = 0;
let commentsProject = 0;
let connected = 0;
const sockets: Socket[] = [];
/** Per client: comments received in the feed, and signals that told it to refetch (gap, resync, reconnect). */
const perClient: { feedComments: number; repairs: number }[] = [];

function connectClient(i: number): Promise<void> {
  const url = init.urls[(init.offset + i) % init.urls.length]!;
  const project = init.projects[(init.offset + i) % Math.max(1, init.projects.length)];
  const rooms = init.mode === "app" ? ["feed", `project:${project}`] : [];
  const last = new Map<string, number>();
  /** Recent seqs received per room: a true duplicate is the same envelope twice. */
  const seen = new Map<string, Set<number>>();
  const mine = { feedComments: 0, repairs: 0 };
  perClient.push(mine);
  const socket = io(url, { transports: ["websocket"], reconnectionDelay: 100, reconnectionDelayMax: 1000 });
  sockets.push(socket);
  const subscribe = async (first: boolean) => {
    for (const room of rooms) {
      const prev = last.get(room);
      const ack = await socket
        .timeout(10_000)
        .emitWithAck("subscribe", prev === undefined ? { room } : { room, lastSeq: prev });
      if (!ack?.ok) throw new Error(`subscribe ${room} failed: ${JSON.stringify(ack)}`);
      // After a reconnect a careful client refetches what the room covers and resumes from here.
      if (!first) mine.repairs++;
      if (!first && ack.seq !== prev) resyncs++;
      last.set(room, ack.seq);
    }
  };
  socket.onAny((type: string, payload: unknown) => {
    const t = now();
    if (init.mode === "raw") {
      if (type === "tick") hist.all.record(t - (payload as { t: number }).t);
      return;
    }
    const e = payload as Envelope;
    if (!e || typeof e.seq !== "number") return;
    const prev = last.get(e.room);
    const got = seen.get(e.room) ?? new Set<number>();
    seen.set(e.room, got);
    if (got.has(e.seq)) {
      duplicated++;
      if (process.env.BENCH_DEBUG_DUPS)
        console.error("DUP", i, url, e.room, e.seq, type, e.at, JSON.stringify(payload));
      return;
    }
    got.add(e.seq);
    if (got.size > 2000) got.delete(got.values().next().value as number);
    if (prev !== undefined) {
      // Numbered before the (re)subscribe ack but delivered after it: already covered, ignore.
      if (e.seq <= prev) return;
      if (e.seq > prev + 1) {
        // A gap: a careful client refetches what the room covers, so nothing is lost silently.
        gaps++;
        mine.repairs++;
      }
    }
    last.set(e.room, e.seq);
    const latency = t - Date.parse(e.at);
    hist.all.record(latency);
    if (type === "comment:added") {
      hist.comment.record(latency);
      if (e.room === "feed") {
        commentsFeed++;
        mine.feedComments++;
      } else commentsProject++;
    } else if (type === "cache:invalidate") {
      resyncs++;
      mine.repairs++;
    }
  });
  return new Promise((resolve, reject) => {
    let first = true;
    socket.on("connect", () => {
      connected++;
      if (!first) reconnects++;
      const wasFirst = first;
      first = false;
      subscribe(wasFirst).then(
        () => wasFirst && resolve(),
        (err) => (wasFirst ? reject(err) : parentPort!.postMessage({ warn: String(err) })),
      );
    });
    socket.on("disconnect", () => connected--);
    socket.once("connect_error", (err) => first && reject(err));
  });
}

parentPort!.on("message", async (msg: { cmd: string }) => {
  if (msg.cmd === "connect") {
    try {
      // Connect in small batches: thousands of simultaneous handshakes only measure the accept queue.
      for (let i = 0; i < init.count; i += 50) {
        await Promise.all(Array.from({ length: Math.min(50, init.count - i) }, (_, j) => connectClient(i + j)));
      }
      parentPort!.postMessage({ ready: true });
    } catch (err) {
      parentPort!.postMessage({ error: String(err) });
    }
  } else if (msg.cmd === "reset") {
    hist.comment = new Histogram();
    hist.all = new Histogram();
    gaps = duplicated = resyncs = reconnects = commentsFeed = commentsProject = 0;
    for (const c of perClient) c.feedComments = c.repairs = 0;
    parentPort!.postMessage({ reset: true });
  } else if (msg.cmd === "report") {
    parentPort!.postMessage({
      report: {
        comment: hist.comment.toJSON(),
        all: hist.all.toJSON(),
        gaps,
        duplicated,
        resyncs,
        reconnects,
        commentsFeed,
        commentsProject,
        connected,
        perClient,
      },
    });
  } else if (msg.cmd === "close") {
    for (const s of sockets) s.disconnect();
    parentPort!.postMessage({ closed: true });
  }
});
