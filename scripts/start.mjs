#!/usr/bin/env node
// `npm start`: builds what is missing (dependencies, Prisma client, web app),
// then runs the server in this same process, so SIGTERM reaches it directly.
// Migrations are applied by the server at start. Uses only Node built-ins until
// the dependencies are there.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const say = (m) => process.stderr.write(`[start] ${m}\n`);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    say(`\`${cmd} ${args.join(" ")}\` failed`);
    process.exit(r.status ?? 1);
  }
}

/** Newest modification time under a directory (skipping build output). */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "dist" || e.name === "sourcemaps" || e.name === "node_modules") continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

if (!existsSync(join(root, "node_modules", ".package-lock.json"))) {
  say("installing dependencies…");
  // Not `npm ci`: see scripts/test.sh (the lock cannot list platform builds the registry lacks).
  run("npm", ["install", "--no-audit", "--no-fund"]);
}
if (!existsSync(join(root, "server/src/generated/prisma/client.ts"))) {
  say("generating the Prisma client…");
  run("npx", ["prisma", "generate"]);
}
const built = join(root, "web/dist/index.html");
const stale =
  !existsSync(built) || Math.max(newest(join(root, "web")), newest(join(root, "shared/src"))) > statSync(built).mtimeMs;
if (stale && process.env.SKIP_WEB_BUILD !== "1") {
  say("building the web app…");
  run("npx", ["vite", "build", "--logLevel", "warn"]);
}

const { register } = await import("tsx/esm/api");
register();
await import(pathToFileURL(join(root, "server/src/server.ts")).href);
