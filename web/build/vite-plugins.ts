/**
 * Build-time helpers for vite.config.ts (run by Node, not shipped to browsers).
 *
 * - precompress: a `.br` and a `.gz` beside every text asset, so the server
 *   (@fastify/static `preCompressed`) sends compressed bytes without spending
 *   CPU per request. Brotli at quality 11 is too slow per request but fine once
 *   per build.
 * - sourcemapsOutside: source maps are moved next to web/dist (web/sourcemaps),
 *   not into it, so they exist for debugging but are never served publicly.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, extname, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { Plugin } from "vite";

const br = promisify(brotliCompress);
const gz = promisify(gzip);

const COMPRESSIBLE = new Set([".js", ".mjs", ".css", ".html", ".svg", ".json", ".txt", ".ico", ".webmanifest"]);
/** Below this, compression headers and framing cost more than they save. */
const MIN_BYTES = 512;

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

export async function precompressDir(dir: string) {
  const files = (await filesUnder(dir)).filter((f) => COMPRESSIBLE.has(extname(f)));
  await Promise.all(
    files.map(async (file) => {
      const data = await readFile(file);
      if (data.length < MIN_BYTES) return;
      const [b, g] = await Promise.all([
        br(data, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: 11,
            [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
          },
        }),
        gz(data, { level: 9 }),
      ]);
      // A compressed copy that is not smaller is worse than none.
      if (b.length < data.length) await writeFile(`${file}.br`, b);
      if (g.length < data.length) await writeFile(`${file}.gz`, g);
    }),
  );
}

export function precompress(): Plugin {
  let outDir = "";
  return {
    name: "zerostale:precompress",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      await precompressDir(outDir);
    },
  };
}

/** Moves the maps to `sourcemaps/` beside the output directory (web/dist → web/sourcemaps). */
export function sourcemapsOutside(): Plugin {
  let outDir = "";
  let target = "";
  return {
    name: "zerostale:sourcemaps-outside",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
      target = resolve(outDir, "..", "sourcemaps");
    },
    async writeBundle() {
      await rm(target, { recursive: true, force: true });
      for (const file of (await filesUnder(outDir)).filter((f) => f.endsWith(".map"))) {
        const dest = join(target, relative(outDir, file));
        await mkdir(dirname(dest), { recursive: true });
        await writeFile(dest, await readFile(file));
        await rm(file);
      }
    },
  };
}

/** `"/route": page(() => import("./module"), …)` in the page table of web/src/app.tsx. */
const LAZY_PAGE = /"(\/[^"]*)":\s*page\(\s*\(\)\s*=>\s*import\("(\.[^"]+)"\)/g;

/**
 * page-preloads.json beside index.html: for each page of web/src/app.tsx that is
 * loaded lazily, the chunks it needs that the first page does not already load
 * (its chunk and that chunk's static imports). The server puts them in that
 * page's HTML as modulepreload links (server/src/plugins/web.ts), so a deep link
 * fetches the page's code with the app's instead of after it (ADR 016).
 */
export function pagePreloads(): Plugin {
  let appFile = "";
  return {
    name: "zerostale:page-preloads",
    apply: "build",
    configResolved(config) {
      appFile = resolve(config.root, "src", "app.tsx");
    },
    async generateBundle(_options, bundle) {
      const source = await readFile(appFile, "utf8");
      const pages = [...source.matchAll(LAZY_PAGE)].map((m) => ({ route: m[1]!, module: m[2]! }));
      const calls = source.match(/:\s*page\(/g)?.length ?? 0;
      if (pages.length === 0 || pages.length !== calls)
        this.error(`page-preloads: understood ${pages.length} of the ${calls} lazy pages in ${appFile}`);
      const chunks = Object.values(bundle).filter((c) => c.type === "chunk");
      const byFile = new Map(chunks.map((c) => [c.fileName, c]));
      const closure = (file: string, into = new Set<string>()) => {
        if (into.has(file)) return into;
        into.add(file);
        for (const dep of byFile.get(file)?.imports ?? []) closure(dep, into);
        return into;
      };
      const initial = new Set<string>();
      for (const entry of chunks.filter((c) => c.isEntry)) closure(entry.fileName, initial);
      const table: Record<string, string[]> = {};
      for (const { route, module } of pages) {
        const base = resolve(dirname(appFile), module);
        const chunk = chunks.find(
          (c) => c.facadeModuleId !== null && c.facadeModuleId.replace(/\.[tj]sx?$/, "") === base,
        );
        if (!chunk) this.error(`page-preloads: no chunk for ${module} (${route})`);
        table[route] = [...closure(chunk.fileName)].filter((f) => !initial.has(f)).map((f) => `/${f}`);
      }
      this.emitFile({ type: "asset", fileName: "page-preloads.json", source: `${JSON.stringify(table, null, 2)}\n` });
    },
  };
}
