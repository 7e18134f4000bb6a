import { describe, expect, it } from "vitest";
import { browserKindsSection, lighthouseSection } from "./report.js";

const p = (p50: number, p95: number) => ({ p50, p95, p99: p95, max: p95, n: 15 });

describe("benchmark report sections", () => {
  it("tables each kind of change against the p95 target, missed updates failing it", () => {
    const lines = browserKindsSection({
      targets: { browserP95Ms: 100 },
      browserKinds: {
        vote: { ...p(44, 96), missed: 0, toEvent: p(32, 80) },
        intro: { ...p(130, 256), missed: 0, toEvent: p(46, 184) },
        badge: { ...p(50, 90), missed: 1 },
      },
    });
    expect(lines[0]).toBe("## 14. Browser freshness per kind of change");
    expect(lines).toContain("| vote | 44 ms | 96 ms | 32 / 80 ms | 0 | ✅ met |");
    expect(lines).toContain("| intro | 130 ms | 256 ms | 46 / 184 ms | 0 | ❌ not met |");
    expect(lines).toContain("| badge | 50 ms | 90 ms | – | 1 | ❌ not met |");
    expect(browserKindsSection({ targets: {} })).toEqual([]);
  });

  it("shows the machine's commit latency and, when measured, each kind without the flush wait", () => {
    const lines = browserKindsSection({
      targets: { browserP95Ms: 100 },
      commitLatency: { ...p(1, 70), p99: 354, max: 513, rate: 20 },
      browserKinds: { vote: { ...p(18, 160), missed: 0, toEvent: p(12, 150) }, badge: { ...p(28, 41), missed: 0 } },
      browserKindsNoCommitWait: { vote: { ...p(18, 28), missed: 0 } },
    });
    expect(lines.join("\n")).toContain("p50 1 / p95 70 / p99 354 / max 513 ms");
    expect(lines).toContain("| vote | 18 ms | 160 ms | 12 / 150 ms | 0 | ❌ not met | 18 / 28 ms |");
    expect(lines).toContain("| badge | 28 ms | 41 ms | – | 0 | ✅ met | – |");
  });

  it("tables Lighthouse per page and form factor against the targets of each form", () => {
    const run = (performance: number) => ({
      performance,
      accessibility: 100,
      "best-practices": 100,
      seo: 100,
      metrics: { FCP: 1800, LCP: 2000, TBT: 150, CLS: 0.002, SI: 1900 },
      performanceRuns: [performance - 2, performance, performance + 1],
      load: 2.5,
    });
    const lines = lighthouseSection({ lighthouse: { feed: { mobile: run(91), desktop: run(93) } } });
    expect(lines[0]).toBe("## 15. Lighthouse");
    expect(lines).toContain(
      "| feed | mobile | 91 (runs: 89, 91, 92) | 100 | 100 | 100 | 1800 / 2000 / 150 ms / 0.002 | 2.5 | ✅ met |",
    );
    // Desktop's performance target is 95.
    expect(lines).toContain(
      "| feed | desktop | 93 (< 95) (runs: 91, 93, 94) | 100 | 100 | 100 | 1800 / 2000 / 150 ms / 0.002 | 2.5 | ❌ not met |",
    );
    expect(lighthouseSection({})).toEqual([]);
  });
});
