/** Progress lines on stderr, so a run shows what it is doing while it works. */
const t0 = Date.now();
export function progress(message: string) {
  const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${s}s] ${message}\n`);
}
