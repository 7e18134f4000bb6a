/**
 * Collects the click-to-update latencies the specs attach (attachment
 * "latencies", a JSON array of {scenario, label, ms}) and prints one table at
 * the end of the run: per scenario and observer, how many samples, p50, p95
 * and max. The same numbers go to e2e/artifacts/latency-summary.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FullResult, Reporter, TestCase, TestResult } from "@playwright/test/reporter";

interface Sample {
  scenario: string;
  label: string;
  ms: number;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Rows per scenario (in order) and observer, each scenario closed by its "(all)" row, then all scenarios together. */
export function summarize(samples: Sample[]) {
  const scenarios = [...new Set(samples.map((s) => s.scenario))].sort();
  const row = (scenario: string, label: string, values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { scenario, label, n: sorted.length, p50: pct(sorted, 50), p95: pct(sorted, 95), max: sorted.at(-1)! };
  };
  const rows = scenarios.flatMap((scenario) => {
    const mine = samples.filter((s) => s.scenario === scenario);
    const labels = [...new Set(mine.map((s) => s.label))];
    return [
      ...labels.map((label) =>
        row(
          scenario,
          label,
          mine.filter((s) => s.label === label).map((s) => s.ms),
        ),
      ),
      row(
        scenario,
        "(all)",
        mine.map((s) => s.ms),
      ),
    ];
  });
  rows.push(
    row(
      "all scenarios",
      "(all)",
      samples.map((s) => s.ms),
    ),
  );
  return rows;
}

export default class LatencyReporter implements Reporter {
  private samples: Sample[] = [];

  onTestEnd(_test: TestCase, result: TestResult) {
    for (const a of result.attachments) {
      if (a.name !== "latencies" || !a.body) continue;
      this.samples.push(...(JSON.parse(a.body.toString("utf8")) as Sample[]));
    }
  }

  onEnd(_result: FullResult) {
    if (this.samples.length === 0) return;
    const rows = summarize(this.samples);
    const header = ["scenario", "observer", "n", "p50 ms", "p95 ms", "max ms"];
    const table = rows.map((r) => [
      r.scenario,
      r.label,
      String(r.n),
      r.p50.toFixed(1),
      r.p95.toFixed(1),
      r.max.toFixed(1),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    const line = (cells: string[]) =>
      cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ");
    const out = [
      "",
      "Click-to-update latency (in-page clocks: actor's click → observer's DOM)",
      line(header),
      line(widths.map((w) => "-".repeat(w))),
      ...table.map(line),
      "",
    ];
    process.stdout.write(`${out.join("\n")}\n`);
    const dir = join(import.meta.dirname, "artifacts");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "latency-summary.json"),
      JSON.stringify({ at: new Date().toISOString(), summary: rows, samples: this.samples }, null, 2),
    );
  }

  printsToStdio() {
    return false;
  }
}
