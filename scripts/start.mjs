#!/usr/bin/env node
// `npm start`: builds what is missing or older than its sources (dependencies, Prisma
// client, web app, the compiled server in dist/server), then runs the compiled server
// with plain `node` in this same process, so SIGTERM reaches it directly. Migrations are
// applied by the server at start. Uses only Node built-ins until the dependencies are
// there. Without sources (the production image holds only the build) it just runs it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
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

if (!existsSync(join(root, "node_modules", ".package-lock.json"))) {
  say("installing dependencies…");
  // Not `npm ci`: see scripts/test.sh (the lock cannot list platform builds the registry lacks).
  run("npm", ["install", "--no-audit", "--no-fund"]);
}
const hasSources = existsSync(join(root, "server/src"));
if (hasSources && !existsSync(join(root, "server/src/generated/prisma/client.ts"))) {
  say("generating the Prisma client…");
  run("npx", ["prisma", "generate"]);
}
if (hasSources && process.env.SKIP_WEB_BUILD !== "1")
  run(process.execPath, [join(root, "scripts/build-web.mjs"), "--if-stale"]);
const server = join(root, "dist/server/server.js");
if (hasSources) run(process.execPath, [join(root, "scripts/build-server.mjs"), "--if-stale"]);

await import(pathToFileURL(server).href);
