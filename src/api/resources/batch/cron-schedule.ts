// Parsing of CronJob schedules with the standard five-field syntax and the `@` descriptors,
// reporting errors in the words of the cron library Kubernetes validates with.

interface Bounds { min: number; max: number; names?: Record<string, number> }

const MINUTE: Bounds = { min: 0, max: 59 };
const HOUR: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTH: Bounds = {
  min: 1, max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** A parsed schedule: the allowed values of each field (descriptors expand to fields too). */
export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  /** For `@every <duration>`. */
  everyMs?: number;
}

function atoi(expr: string): number {
  // Go's strconv.Atoi: optional sign, decimal digits only.
  if (!/^[+-]?\d+$/.test(expr)) throw new Error(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number.parseInt(expr, 10);
  if (!Number.isSafeInteger(n)) throw new Error(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`);
  if (n < 0) throw new Error(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function intOrName(expr: string, b: Bounds): number {
  const named = b.names?.[expr.toLowerCase()];
  return named ?? atoi(expr);
}

function parseRange(expr: string, b: Bounds, into: Set<number>): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
  } else {
    start = intOrName(lowAndHigh[0]!, b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = intOrName(lowAndHigh[1]!, b);
    else throw new Error(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = atoi(rangeAndStep[1]!);
    if (single) end = b.max; // "N/step" means "N-max/step"
  } else if (rangeAndStep.length > 2) {
    throw new Error(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new Error(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new Error(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
  for (let i = start; i <= end; i += step) into.add(i);
}

function parseField(field: string, b: Bounds): Set<number> {
  const out = new Set<number>();
  for (const expr of field.split(',').filter((e) => e !== '')) parseRange(expr, b, out);
  return out;
}

function all(b: Bounds): Set<number> {
  const s = new Set<number>();
  for (let i = b.min; i <= b.max; i++) s.add(i);
  return s;
}

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds; throws with Go's wording. */
export function parseGoDuration(s: string): number {
  const bad = new Error(`time: invalid duration ${JSON.stringify(s)}`);
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw bad;
  let total = 0;
  const re = /^(\d+\.?\d*|\.\d+)([a-zµμ]*)/;
  while (rest.length) {
    const m = re.exec(rest);
    if (!m) throw bad;
    const unit = m[2]!;
    if (!unit) throw new Error(`time: missing unit in duration ${JSON.stringify(s)}`);
    const factor = GO_UNITS[unit];
    if (factor === undefined) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(s)}`);
    total += Number.parseFloat(m[1]!) * factor;
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

/** Parses a standard cron spec; throws an Error whose message is what validation reports. */
export function parseCronSchedule(spec: string): CronSchedule {
  if (spec.length === 0) throw new Error('empty spec string');
  let text = spec;
  if (text.startsWith('TZ=') || text.startsWith('CRON_TZ=')) {
    const i = text.indexOf(' ');
    const zone = text.slice(text.indexOf('=') + 1, i < 0 ? undefined : i);
    if (!isKnownTimeZone(zone)) throw new Error(`provided bad location ${zone}: unknown time zone ${zone}`);
    text = i < 0 ? '' : text.slice(i).trim();
  }
  if (text.startsWith('@')) {
    if (text.startsWith('@every ')) {
      try {
        return { minutes: all(MINUTE), hours: all(HOUR), daysOfMonth: all(DOM), months: all(MONTH), daysOfWeek: all(DOW),
          everyMs: parseGoDuration(text.slice('@every '.length)) };
      } catch (e) {
        throw new Error(`failed to parse duration ${text}: ${(e as Error).message}`);
      }
    }
    if (!DESCRIPTORS.has(text)) throw new Error(`unrecognized descriptor: ${text}`);
    const first = (b: Bounds) => new Set([b.min]);
    switch (text) {
      case '@yearly': case '@annually':
        return { minutes: first(MINUTE), hours: first(HOUR), daysOfMonth: first(DOM), months: first(MONTH), daysOfWeek: all(DOW) };
      case '@monthly':
        return { minutes: first(MINUTE), hours: first(HOUR), daysOfMonth: first(DOM), months: all(MONTH), daysOfWeek: all(DOW) };
      case '@weekly':
        return { minutes: first(MINUTE), hours: first(HOUR), daysOfMonth: all(DOM), months: all(MONTH), daysOfWeek: first(DOW) };
      case '@daily': case '@midnight':
        return { minutes: first(MINUTE), hours: first(HOUR), daysOfMonth: all(DOM), months: all(MONTH), daysOfWeek: all(DOW) };
      default:
        return { minutes: first(MINUTE), hours: all(HOUR), daysOfMonth: all(DOM), months: all(MONTH), daysOfWeek: all(DOW) };
    }
  }
  const fields = text.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  return {
    minutes: parseField(fields[0]!, MINUTE),
    hours: parseField(fields[1]!, HOUR),
    daysOfMonth: parseField(fields[2]!, DOM),
    months: parseField(fields[3]!, MONTH),
    daysOfWeek: parseField(fields[4]!, DOW),
  };
}

/** Whether the IANA zone name is known to this runtime's time zone database. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
