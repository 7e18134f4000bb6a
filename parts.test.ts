/**
 * The intended parts of the code base, checked by machine: a scan of the
 * import statements of every TypeScript source (tests excluded: they may build
 * the whole app), following imports through other sources, so a forbidden
 * dependency cannot hide behind a file in between.
 *
 *  - server/src/modules/**  never reach server/src/realtime/** or plugins/realtime
 *                           (a module's effects go through the pipeline, which
 *                           the realtime part delivers)
 *  - server/src/cache/**    never reaches the realtime part either, nor does
 *    server/src/freshness/** (the pipeline hands its envelopes to a function)
 *  - shared/**              imports nothing of server/ or web/
 *  - web/**                 imports nothing of server/
 *  - web: realtime/ may import features/ (their key factories, useMe);
 *         features/ never reach realtime/ (they use lib/realtime-link and
 *         lib/refetch-scheduler), so the two never import each other in a cycle.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = dirname(fileURLToPath(import.meta.url));
const SOURCES = ["server/src", "server/test", "shared/src", "web/src"];
const SKIP = new Set(["node_modules", "generated", "dist"]);
const EXTENSIONS = [".ts", ".tsx"];

interface Rule {
  name: string;
  /** Files the rule is about (repo-relative paths). */
  from: (file: string) => boolean;
  /** What they must not reach. */
  to: (file: string) => boolean;
}

const under = (dir: string) => (file: string) => file.startsWith(`${dir}/`);
const realtimePart = (f: string) => under("server/src/realtime")(f) || f === "server/src/plugins/realtime.ts";

const RULES: Rule[] = [
  { name: "server modules never reach the realtime part", from: under("server/src/modules"), to: realtimePart },
  { name: "the cache never reaches the realtime part", from: under("server/src/cache"), to: realtimePart },
  // The realtime part uses the pipeline's bus and coalescer; the pipeline knows it only as a function (emit).
  { name: "the pipeline never reaches the realtime part", from: under("server/src/freshness"), to: realtimePart },
  {
    name: "shared imports nothing of server/ or web/",
    from: under("shared"),
    to: (f) => under("server")(f) || under("web")(f),
  },
  { name: "the web imports nothing of server/", from: under("web"), to: under("server") },
  {
    name: "web features never reach web/src/realtime (realtime/ may import features/)",
    from: under("web/src/features"),
    to: under("web/src/realtime"),
  },
];

const isTest = (file: string) => /\.test\.tsx?$/.test(file) || under("server/test")(file);

/** Module specifiers of a source: static imports and re-exports (at the start of a line), and dynamic imports. */
function specifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm)) out.push(m[1]!);
  for (const m of source.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) out.push(m[1]!);
  for (const m of source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1]!);
  return out;
}

/** The repo-relative file a specifier names, or null for a package. */
function resolve(from: string, spec: string, exists: (file: string) => boolean): string | null {
  let base: string;
  if (spec.startsWith("@shared/")) base = `shared/src/${spec.slice("@shared/".length)}`;
  else if (spec.startsWith(".")) base = normalize(join(dirname(from), spec));
  else return null;
  const bare = base.replace(/\.js$/, "");
  for (const candidate of [base, ...EXTENSIONS.map((e) => bare + e), ...EXTENSIONS.map((e) => `${bare}/index${e}`)])
    if (exists(candidate)) return candidate;
  // Unresolved (a path outside the sources, e.g. web/dist): kept as written, so a rule still sees where it points.
  return base;
}

/** Every rule broken in `files` (path → source), with the import chain that breaks it. */
function violations(files: Map<string, string>, rules: Rule[] = RULES): string[] {
  const graph = new Map<string, string[]>();
  for (const [file, source] of files)
    graph.set(
      file,
      specifiers(source)
        .map((s) => resolve(file, s, (f) => files.has(f)))
        .filter((f): f is string => f !== null),
    );
  const found: string[] = [];
  for (const rule of rules)
    for (const start of files.keys()) {
      if (!rule.from(start) || isTest(start)) continue;
      // Breadth first through non-test sources: the shortest chain to a forbidden file.
      const via = new Map<string, string>([[start, ""]]);
      const queue = [start];
      while (queue.length) {
        const file = queue.shift()!;
        for (const next of graph.get(file) ?? []) {
          if (via.has(next)) continue;
          via.set(next, file);
          if (rule.to(next)) {
            const chain = [next];
            for (let f = file; f; f = via.get(f)!) chain.unshift(f);
            found.push(`${rule.name}: ${chain.join(" → ")}`);
            queue.length = 0;
            break;
          }
          if (graph.has(next) && !isTest(next)) queue.push(next);
        }
      }
    }
  return found;
}

function sources(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      if (SKIP.has(entry.name)) continue;
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (EXTENSIONS.some((e) => entry.name.endsWith(e)) && !entry.name.endsWith(".d.ts"))
        files.set(relative(ROOT, join(ROOT, path)), readFileSync(join(ROOT, path), "utf8"));
    }
  };
  for (const dir of SOURCES) walk(dir);
  return files;
}

describe("the parts of the code base", () => {
  it("every source keeps to its part", () => {
    const files = sources();
    expect(files.size).toBeGreaterThan(200);
    expect(violations(files)).toEqual([]);
  });

  it("the scan sees every kind of import, directly and through other files", () => {
    const files = new Map([
      ["server/src/modules/a/a.service.ts", 'import type { X } from "../../lib/x.js";\nexport { y } from "./y.js";'],
      ["server/src/modules/a/y.ts", 'const m = await import("../../realtime/sessions.js");'],
      ["server/src/lib/x.ts", 'import {\n  Realtime,\n} from "../plugins/realtime.js";'],
      ["server/src/plugins/realtime.ts", ""],
      ["server/src/realtime/sessions.ts", ""],
      ["server/src/cache/c.ts", 'import "../realtime/sessions.js";'],
      ["shared/src/s.ts", 'import { a } from "../../web/src/lib/a";'],
      ["web/src/lib/a.ts", 'import { b } from "../../../server/src/lib/x.js";'],
      ["web/src/features/f/f.queries.ts", 'import { c } from "../../components/c";'],
      ["web/src/components/c.tsx", 'import { d } from "../realtime/d";'],
      ["web/src/realtime/d.ts", 'import { f } from "../features/f/f.queries";'],
      // Comments and tests do not count.
      ["server/src/modules/b/b.ts", '/**\n * import { x } from "../../realtime/sessions.js";\n */'],
      ["server/src/modules/b/b.test.ts", 'import { x } from "../../realtime/sessions.js";'],
    ]);
    expect(violations(files)).toEqual([
      "server modules never reach the realtime part: server/src/modules/a/a.service.ts → server/src/lib/x.ts → server/src/plugins/realtime.ts",
      "server modules never reach the realtime part: server/src/modules/a/y.ts → server/src/realtime/sessions.ts",
      "the cache never reaches the realtime part: server/src/cache/c.ts → server/src/realtime/sessions.ts",
      "shared imports nothing of server/ or web/: shared/src/s.ts → web/src/lib/a.ts",
      "the web imports nothing of server/: web/src/lib/a.ts → server/src/lib/x.ts",
      "web features never reach web/src/realtime (realtime/ may import features/): web/src/features/f/f.queries.ts → web/src/components/c.tsx → web/src/realtime/d.ts",
    ]);
  });
});
