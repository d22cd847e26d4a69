// Durations and timestamps as Kubernetes prints and serialises them: the AGE column's
// HumanDuration, metav1.Time (RFC 3339, whole seconds) and metav1.MicroTime (6 fractional digits).

import { badRequest } from './status.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Go's int(d.Seconds()) etc. truncate toward zero. */
const trunc = (ms: number, unit: number) => Math.trunc(ms / unit);

/**
 * Two or three significant figures: "90s", "2m3s", "45m", "5h10m", "20h", "3d4h", "30d", "2y45d", "9y".
 * Clock skew up to just under two seconds in the future reads as "0s"; more is "<invalid>".
 */
export function humanDuration(ms: number): string {
  const seconds = trunc(ms, SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = trunc(ms, MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = trunc(ms, HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  const years = Math.trunc(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/** One unit only: "59s", "59m", "23h", "364d", "2y". */
export function shortHumanDuration(ms: number): string {
  const seconds = trunc(ms, SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = trunc(ms, MINUTE);
  if (minutes < 60) return `${minutes}m`;
  const hours = trunc(ms, HOUR);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(ms / HOUR / 24 / 365)}y`;
}

let lastSecond = NaN;
let lastText = '';

/** metav1.Time on the wire: "2006-01-02T15:04:05Z", fractional seconds truncated. */
export function formatTime(ms: number): string {
  const second = Math.floor(ms / SECOND);
  // Busy writers stamp many objects within one second: the text of the last one is kept.
  if (second !== lastSecond) {
    lastText = new Date(second * SECOND).toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastText;
}

/** metav1.MicroTime on the wire: "2006-01-02T15:04:05.000000Z", always six fractional digits. */
export function formatMicroTime(ms: number): string {
  const micros = Math.floor(ms * 1000);
  const wholeMs = Math.floor(micros / 1000);
  const extra = micros - wholeMs * 1000;
  const iso = new Date(wholeMs).toISOString();
  return `${iso.slice(0, -1)}${String(extra).padStart(3, '0')}Z`;
}

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 timestamp (any offset, optional fraction) to epoch milliseconds; precision
 * below a millisecond is dropped. Malformed text is a BadRequest, as when decoding a request body.
 */
export function parseTime(s: string): number {
  const m = rfc3339.exec(s);
  const fail = () => badRequest(`parsing time ${JSON.stringify(s)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
  if (!m) throw fail();
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) throw fail();
  const base = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 Feb over into March; Go rejects it.
  if (new Date(base).getUTCDate() !== day) throw fail();
  const frac = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  let offset = 0;
  if (m[8] !== 'Z') {
    const sign = m[8]![0] === '-' ? -1 : 1;
    const oh = Number(m[8]!.slice(1, 3));
    const om = Number(m[8]!.slice(4, 6));
    if (oh > 23 || om > 59) throw fail();
    offset = sign * (oh * HOUR + om * MINUTE);
  }
  return base + frac - offset;
}
