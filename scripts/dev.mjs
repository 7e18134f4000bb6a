#!/usr/bin/env node
// `npm run dev`: the API (restarting on change) on API_PORT (3000) and Vite's dev
// server with hot reload on WEB_PORT (5173), which proxies /api and /socket.io.
import { spawn } from "node:child_process";

const apiPort = process.env.API_PORT ?? "3000";
const env = { ...process.env, PORT: apiPort, API_PORT: apiPort };
const children = [
  spawn(process.execPath, ["--import", "tsx", "--watch", "server/src/server.ts"], { stdio: "inherit", env }),
  spawn("npx", ["vite"], { stdio: "inherit", env }),
];
const stop = (signal) => {
  for (const c of children) c.kill(signal);
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
for (const c of children)
  c.on("exit", (code) => {
    stop("SIGTERM");
    process.exitCode = code ?? 0;
  });
console.log(`\n  Zerostale dev: open http://127.0.0.1:${process.env.WEB_PORT ?? 5173} (API on :${apiPort})\n`);
