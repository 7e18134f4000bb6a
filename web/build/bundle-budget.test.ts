// @vitest-environment node
/**
 * Byte budgets of the built web app (ADR 016), checked on a fresh production
 * build: what the feed needs before it can render, compressed as the server
 * sends it, stays within budget; zod and socket.io-client stay off the first
 * page; source maps are not in what the server serves.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Initial JavaScript of the feed, compressed (brotli as served, and gzip for clients without brotli). */
const FEED_JS_BUDGET = 120 * 1024;
const CSS_BUDGET = 12 * 1024;

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let work: string;
let dist: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "zs-budget-"));
  dist = join(work, "dist");
  // Vitest runs with NODE_ENV=test, which would make Vite bundle React's development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  await build({
    mode: "production",
    configFile: join(ROOT, "vite.config.ts"),
    logLevel: "silent",
    build: { outDir: dist, emptyOutDir: true },
  }).finally(() => {
    process.env.NODE_ENV = nodeEnv;
  });
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** The entry script, its modulepreloads and, transitively, their static imports (not import()). */
async function firstPageFiles(html: string) {
  const seeds = [
    ...html.matchAll(/<script[^>]*type="module"[^>]*src="\/([^"]+)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/([^"]+)"/g),
  ].map((m) => m[1]!);
  return staticClosure(seeds);
}

/** Files and, transitively, their static imports. */
async function staticClosure(seeds: string[]) {
  const seen = new Set<string>();
  const queue = [...seeds];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = await readFile(join(dist, file), "utf8");
    for (const m of code.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[^"'()]*?from\s*)?["']\.\/([^"']+\.js)["']/g))
      queue.push(`assets/${m[1]}`);
  }
  return [...seen];
}

const size = async (file: string) => (await readFile(file)).length;

describe("web bundle budget", () => {
  it("keeps the feed's initial JavaScript within budget, brotli and gzip", async () => {
    const html = await readFile(join(dist, "index.html"), "utf8");
    const files = await firstPageFiles(html);
    expect(files.length).toBeGreaterThan(0);
    let brotli = 0;
    let gzip = 0;
    let raw = 0;
    for (const f of files) {
      const path = join(dist, f);
      const code = await readFile(path);
      raw += code.length;
      gzip += gzipSync(code, { level: 6 }).length;
      // The build writes the .br copy the server sends (small files stay plain).
      brotli += existsSync(`${path}.br`) ? await size(`${path}.br`) : code.length;
    }
    const report = `${files.length} files, ${raw} B raw, ${gzip} B gzip, ${brotli} B brotli`;
    expect(brotli, report).toBeLessThanOrEqual(FEED_JS_BUDGET);
    expect(gzip, report).toBeLessThanOrEqual(FEED_JS_BUDGET);
  });

  it("keeps zod, socket.io-client and markdown-it off the first page (they load beside it, not before it)", async () => {
    const html = await readFile(join(dist, "index.html"), "utf8");
    for (const f of await firstPageFiles(html)) {
      const code = await readFile(join(dist, f), "utf8");
      // `_zod` is on every zod schema and in zod's core: neither the library nor its configuration is here.
      expect(code.includes("ZodError") || code.includes("_zod"), `${f} holds zod`).toBe(false);
      expect(code.includes("engine.io"), `${f} holds socket.io-client`).toBe(false);
      expect(code.includes("validateLink"), `${f} holds markdown-it`).toBe(false);
    }
  });

  it("loads no zod with the realtime client (it routes events by the catalogue, it does not parse them)", async () => {
    const assets = await readdir(join(dist, "assets"));
    const realtime = assets.find((f) => /^realtime-client-.*\.js$/.test(f));
    expect(realtime).toBeDefined();
    for (const f of await staticClosure([`assets/${realtime}`])) {
      expect((await readFile(join(dist, f), "utf8")).includes("_zod"), `${f} holds zod`).toBe(false);
    }
  });

  it("lists, for each lazily loaded page, the chunks a deep link to it should preload", async () => {
    const html = await readFile(join(dist, "index.html"), "utf8");
    const initial = new Set((await firstPageFiles(html)).map((f) => `/${f}`));
    const table = JSON.parse(await readFile(join(dist, "page-preloads.json"), "utf8")) as Record<string, string[]>;
    expect(table["/projects/:id"]?.some((f) => /\/assets\/project-page-[\w-]+\.js$/.test(f))).toBe(true);
    expect(table["/"]).toBeUndefined();
    for (const [route, files] of Object.entries(table)) {
      for (const f of files) {
        expect(initial.has(f), `${route}: ${f} is already on the first page`).toBe(false);
        expect(existsSync(join(dist, f)), `${route}: ${f}`).toBe(true);
      }
    }
  });

  it("keeps the stylesheet within budget", async () => {
    const assets = await readdir(join(dist, "assets"));
    const css = assets.filter((f) => f.endsWith(".css"));
    expect(css.length).toBeGreaterThan(0);
    for (const f of css) expect(await size(join(dist, "assets", `${f}.br`))).toBeLessThanOrEqual(CSS_BUDGET);
  });

  it("ships brotli and gzip copies of the assets, and no source maps where the server serves files", async () => {
    const assets = await readdir(join(dist, "assets"));
    const js = assets.filter((f) => f.endsWith(".js"));
    for (const f of js) {
      const code = await readFile(join(dist, "assets", f), "utf8");
      expect(code, f).not.toMatch(/sourceMappingURL/);
      if (code.length >= 1024) {
        expect(assets, f).toContain(`${f}.br`);
        expect(assets, f).toContain(`${f}.gz`);
      }
    }
    expect(assets.filter((f) => f.endsWith(".map"))).toEqual([]);
    // The maps exist, beside the served directory.
    expect((await readdir(join(work, "sourcemaps", "assets"))).some((f) => f.endsWith(".js.map"))).toBe(true);
  });

  it("has a favicon and a robots.txt", async () => {
    expect(existsSync(join(dist, "favicon.ico"))).toBe(true);
    expect(existsSync(join(dist, "favicon.svg"))).toBe(true);
    expect(await readFile(join(dist, "robots.txt"), "utf8")).toMatch(/^User-agent: \*/m);
  });
});
