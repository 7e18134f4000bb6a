/**
 * The floor: a bare Socket.IO server in its own process that broadcasts a
 * timestamp to every client at a steady rate. Nothing else happens per event,
 * so its delivery latency is what Socket.IO itself costs on this machine.
 * Driven over IPC by bench/scenarios/fanout.ts.
 *
 * With the argument `delivery`, the same broadcast goes through the app's
 * per-socket delivery (server/src/realtime/delivery.ts) to a room every client
 * is in, as envelopes: the difference to the bare run is what that layer costs.
 */
import { createServer } from "node:http";
import { Server } from "socket.io";
import type { Logger } from "../../server/src/lib/log.js";
import { createMetrics } from "../../server/src/lib/metrics.js";
import { Delivery, tuneTransport } from "../../server/src/realtime/delivery.js";

const viaDelivery = process.argv[2] === "delivery";
const http = createServer();
const io = new Server(http, { serveClient: false });
const delivery = new Delivery(
  io,
  { maxBufferedBytes: 1024 * 1024, maxQueuedPackets: 1000, stallMs: 30_000 },
  createMetrics(),
  { warn() {}, info() {}, error() {}, debug() {} } as unknown as Logger,
);
if (viaDelivery)
  io.on("connection", (socket) => {
    tuneTransport(socket);
    socket.join("feed");
  });
http.listen(0, "127.0.0.1", () => {
  process.send!({ port: (http.address() as { port: number }).port });
});
process.on("message", async (msg: { cmd: string; rate: number; durationMs: number }) => {
  if (msg.cmd !== "run") return;
  const total = Math.round((msg.rate * msg.durationMs) / 1000);
  const t0 = performance.timeOrigin + performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / msg.rate;
    const wait = due - (performance.timeOrigin + performance.now());
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t = performance.timeOrigin + performance.now();
    if (viaDelivery)
      delivery.deliver([
        { type: "tick", room: "feed", seq: i + 1, at: new Date(t).toISOString(), data: {}, t, i } as never,
      ]);
    else io.emit("tick", { t, i });
  }
  process.send!({ done: total });
});
process.on("SIGTERM", () => {
  io.close();
  process.exit(0);
});
