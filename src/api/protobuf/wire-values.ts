// The hand-marshalled values of the Kubernetes protobuf format and their JSON forms: Time and
// MicroTime {seconds, nanos} ↔ RFC 3339, Duration nanoseconds ↔ Go duration string, IntOrString
// {type, intVal, strVal} ↔ number or string.
/** protobufjs decodes int64 as a Long when the long package is present. */
export interface Long { toNumber(): number }

export interface Timestamp { seconds?: number | Long; nanos?: number }

export function int64(v: number | Long | undefined | null): number {
  if (v === undefined || v === null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function timeToWire(text: string): Timestamp {
  const m = RFC3339.exec(text);
  if (!m) throw new Error(`time "${text}" is not RFC 3339`);
  let seconds = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000;
  if (m[8] !== 'Z' && m[8] !== 'z') {
    const sign = m[8][0] === '-' ? -1 : 1;
    seconds -= sign * (Number(m[8].slice(1, 3)) * 3600 + Number(m[8].slice(4, 6)) * 60);
  }
  const nanos = m[7] ? Number(m[7].slice(1, 10).padEnd(9, '0')) : 0;
  return nanos ? { seconds, nanos } : { seconds };
}

/** RFC 3339 in UTC: whole seconds for Time, exactly six fractional digits for MicroTime. */
export function timeFromWire(t: Timestamp, micro: boolean): string | undefined {
  const seconds = int64(t.seconds);
  const nanos = t.nanos ?? 0;
  if (seconds === 0 && nanos === 0) return undefined;
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (!micro) return `${base}Z`;
  return `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

export interface IntOrStringWire { type?: number | Long; intVal?: number; strVal?: string }

export function intOrStringToWire(v: number | string): IntOrStringWire {
  return typeof v === 'number' ? { type: 0, intVal: v } : { type: 1, strVal: v };
}

export function intOrStringFromWire(w: IntOrStringWire): number | string {
  return int64(w.type) === 1 ? (w.strVal ?? '') : (w.intVal ?? 0);
}

const units: [string, number][] = [['h', 3600e9], ['m', 60e9], ['s', 1e9], ['ms', 1e6], ['us', 1e3], ['µs', 1e3], ['ns', 1]];

export function durationToWire(text: string): number {
  const m = /^([+-]?)((?:\d+(?:\.\d*)?(?:h|ms|m|s|us|µs|ns))+|0)$/.exec(text);
  if (!m) throw new Error(`duration "${text}" is not a Go duration`);
  let ns = 0;
  for (const [, n, unit] of m[2].matchAll(/(\d+(?:\.\d*)?)(h|ms|m|s|us|µs|ns)/g)) {
    ns += Number(n) * units.find(([u]) => u === unit)![1];
  }
  return Math.round(m[1] === '-' ? -ns : ns);
}

/** Go's time.Duration.String(): "1h2m3.5s", "150ms", "0s". */
export function durationFromWire(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let n = Math.abs(ns);
  if (n < 1e3) return `${sign}${n}ns`;
  if (n < 1e6) return `${sign}${trim(n / 1e3)}µs`;
  if (n < 1e9) return `${sign}${trim(n / 1e6)}ms`;
  const h = Math.floor(n / 3600e9);
  n -= h * 3600e9;
  const min = Math.floor(n / 60e9);
  n -= min * 60e9;
  const s = `${trim(n / 1e9)}s`;
  if (h) return `${sign}${h}h${min}m${s}`;
  if (min) return `${sign}${min}m${s}`;
  return `${sign}${s}`;
}

function trim(x: number): string {
  return String(Number(x.toFixed(9)));
}
