#!/usr/bin/env node
// Builds the web app (vite build → web/dist). `--if-stale` builds only when
// web/dist/index.html is missing or older than the web app's or shared sources.
// `npm start`, the e2e suite and the benchmarks' browser scenarios call it before serving pages
// (a fresh clone has no web/dist: the pages would be blank).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

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

const output = join(root, "web/dist/index.html");
const stale = () =>
  !existsSync(output) ||
  Math.max(...["web", "shared/src"].map((d) => newest(join(root, d)))) > statSync(output).mtimeMs;

if (process.argv.includes("--if-stale") && !stale()) process.exit(0);
process.stderr.write("[build] web app → web/dist/\n");
const vite = join(root, "node_modules/vite/bin/vite.js");
const r = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
