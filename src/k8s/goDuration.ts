// Kubelet prints durations with Go's time.Duration.String(): `1m21.284220239s`, `599ms`, `12µs`.
const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6, // U+00B5, what Go prints
  μs: 1e-6, // U+03BC, accepted by Go's parser too
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Seconds in a Go duration string, or undefined when the text is not one. */
export function parseGoDurationSeconds(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const m = PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_SECONDS[m[2] as string] as number);
  }
  // Round away binary noise (0.1+0.2) at nanosecond resolution, which is all Go has.
  return sign * (Math.round(total * 1e9) / 1e9);
}
