import { useEffect, useState } from "react";

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

export function relativeTime(iso: string, now = Date.now()) {
  const seconds = (Date.parse(iso) - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return "just now";
}

// One formatter each, made on first use: toLocale*String with options builds a new one per call,
// which a feed of ten cards paid twenty times per render.
const formatter = (options: Intl.DateTimeFormatOptions) => {
  let made: Intl.DateTimeFormat | undefined;
  return (t: number | string) => {
    made ??= new Intl.DateTimeFormat(undefined, options);
    return made.format(new Date(t));
  };
};

export const clockTime = formatter({ hour: "2-digit", minute: "2-digit" });
const absolute = formatter({ dateStyle: "medium", timeStyle: "short" });

/** One timer for every time on the page (a feed has dozens), running while any is shown. */
const ticks = new Set<() => void>();
let ticker: ReturnType<typeof setInterval> | null = null;
function everyMinute(fn: () => void) {
  ticks.add(fn);
  ticker ??= setInterval(() => {
    for (const tick of ticks) tick();
  }, 60_000);
  return () => {
    ticks.delete(fn);
    if (ticks.size === 0 && ticker !== null) {
      clearInterval(ticker);
      ticker = null;
    }
  };
}

/** "5 minutes ago", kept current, with the exact time on hover. */
export function RelativeTime({ iso }: { iso: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => everyMinute(() => setNow(Date.now())), []);
  return (
    <time dateTime={iso} title={absolute(iso)}>
      {relativeTime(iso, now)}
    </time>
  );
}
