/**
 * The floor: a bare Socket.IO server in its own process that broadcasts a
 * timestamp to every client at a steady rate. Nothing else happens per event,
 * so its delivery latency is what Socket.IO itself costs on this machine.
 * Driven over IPC by bench/scenarios/fanout.ts.
 */
import { createServer } from "node:http";
import { Server } from "socket.io";

const http = createServer();
const io = new Server(http, { serveClient: false });
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
    io.emit("tick", { t: performance.timeOrigin + performance.now(), i });
  }
  process.send!({ done: total });
});
process.on("SIGTERM", () => {
  io.close();
  process.exit(0);
});
