/**
 * A latency histogram with fixed log-linear buckets (0.05 ms resolution below
 * 10 ms, 1 % above), cheap to fill in a worker and to merge across workers.
 */
const SUB = 200; // buckets per decade above 10 ms
const LINEAR_MS = 10;
const LINEAR_STEP = 0.05;
const LINEAR_BUCKETS = LINEAR_MS / LINEAR_STEP;
const DECADES = 4; // up to 100 s

export class Histogram {
  readonly counts: Float64Array;
  count = 0;
  max = 0;
  sum = 0;

  constructor(counts?: ArrayLike<number>) {
    this.counts = new Float64Array(LINEAR_BUCKETS + SUB * DECADES);
    if (counts) this.counts.set(counts);
  }

  static from(json: { counts: number[]; count: number; max: number; sum: number }) {
    const h = new Histogram(json.counts);
    h.count = json.count;
    h.max = json.max;
    h.sum = json.sum;
    return h;
  }

  record(ms: number) {
    const v = Math.max(0, ms);
    this.counts[index(v)]! += 1;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  merge(other: Histogram) {
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
  }

  percentile(p: number): number {
    if (!this.count) return Number.NaN;
    const target = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return Math.min(upper(i), this.max);
    }
    return this.max;
  }

  summary() {
    const r = (x: number) => Math.round(x * 100) / 100;
    return {
      count: this.count,
      p50: r(this.percentile(50)),
      p95: r(this.percentile(95)),
      p99: r(this.percentile(99)),
      max: r(this.max),
      mean: r(this.count ? this.sum / this.count : Number.NaN),
    };
  }

  toJSON() {
    return { counts: [...this.counts], count: this.count, max: this.max, sum: this.sum };
  }
}

function index(ms: number): number {
  if (ms < LINEAR_MS) return Math.floor(ms / LINEAR_STEP);
  const i = LINEAR_BUCKETS + Math.floor(Math.log10(ms / LINEAR_MS) * SUB);
  return Math.min(i, LINEAR_BUCKETS + SUB * DECADES - 1);
}

function upper(i: number): number {
  if (i < LINEAR_BUCKETS) return (i + 1) * LINEAR_STEP;
  return LINEAR_MS * 10 ** ((i - LINEAR_BUCKETS + 1) / SUB);
}

/** Exact percentiles of a small array. */
export function percentiles(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : Number.NaN);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { count: s.length, p50: r(at(50)), p95: r(at(95)), p99: r(at(99)), max: r(s.at(-1) ?? Number.NaN) };
}

/** Wall clock in milliseconds with sub-millisecond resolution (comparable across processes). */
export const now = () => performance.timeOrigin + performance.now();
