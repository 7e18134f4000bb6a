#!/usr/bin/env node
// `npm run build:server`: compiles the server to JavaScript in dist/server/ with esbuild.
// One ESM bundle per entry point (server.ts and every `*.cli.ts`: seed, migrate, admin…,
// so the production image needs no TypeScript runner), with our own code inlined
// (server/src, shared/src through the `@shared` alias, the generated Prisma client) and
// every npm package left as an import: PGlite and Prisma load their wasm files relative
// to their own location, and the production image installs them.
//
// `--if-stale` builds only when dist/server is missing or older than its sources
// (`npm start`, the e2e suite and the benchmarks call it before starting a server).
import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const src = join(root, "server/src");
const outDir = join(root, "dist/server");
const SOURCES = ["server/src", "shared/src"];

/** Newest modification time under a directory. */
function newest(dir) {
  let t = statSync(dir).mtimeMs;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const marker = join(outDir, "server.js");
const stale = () =>
  !existsSync(marker) || Math.max(...SOURCES.map((d) => newest(join(root, d)))) > statSync(marker).mtimeMs;

if (process.argv.includes("--if-stale") && !stale()) process.exit(0);

const { build } = await import("esbuild");
const entries = [
  join(src, "server.ts"),
  ...readdirSync(src, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".cli.ts") && !f.startsWith("generated"))
    .map((f) => join(src, f)),
];
// Build beside the output and swap it in, so a server starting from dist/server
// meanwhile (another test file, an e2e instance) never sees half a build.
const tmp = `${outDir}.tmp-${process.pid}`;
const result = await build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir: tmp,
  outbase: src,
  bundle: true,
  packages: "external",
  platform: "node",
  format: "esm",
  target: "node20.19",
  tsconfig: join(root, "tsconfig.json"),
  sourcemap: true,
  logLevel: "warning",
});
if (result.errors.length) process.exit(1);
const old = `${outDir}.old-${process.pid}`;
if (existsSync(outDir)) renameSync(outDir, old);
renameSync(tmp, outDir);
rmSync(old, { recursive: true, force: true });
process.stderr.write(`[build] server → ${relative(root, outDir)}/ (${entries.length} entry points)\n`);
