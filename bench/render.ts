/** Re-renders docs/benchmarks.md and its chart from a results file: `node --import tsx bench/render.ts bench/results/<run>.json`. */
import { readFile, writeFile } from "node:fs/promises";
import { latestOutboxCost, renderMarkdown, renderSvg } from "./report.js";

const file = process.argv[2];
if (!file) throw new Error("usage: node --import tsx bench/render.ts bench/results/<run>.json");
const results = JSON.parse(await readFile(file, "utf8"));
await writeFile("docs/benchmarks.md", renderMarkdown({ ...results, outboxCost: await latestOutboxCost() }, file));
await writeFile("docs/benchmarks-latency.svg", renderSvg(results));
console.log(`docs/benchmarks.md rendered from ${file}`);
