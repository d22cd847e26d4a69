// When a CronJob runs next: the five-field schedule (or `@` descriptor) evaluated in its time zone
// with the rules of the cron library Kubernetes uses, DST quirks included — a wall time that a
// spring-forward skips does not run that day, and one a fall-back repeats runs twice.
import { parseCronSchedule, type CronSchedule } from '../../api/resources/batch/cron-schedule.js';
import { wallClock, type WallClock } from './timezone.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export interface Schedule {
  fields: CronSchedule;
  /** A day matches when both day fields match if either is a star, else when either matches. */
  domStar: boolean;
  dowStar: boolean;
  /** IANA zone name, `UTC` when none was given. */
  timeZone: string;
  /** `@every <duration>`, whole seconds, at least one. */
  everyMs?: number;
}

/** Whether any comma-separated part of a field starts at `*` or `?` with no step above one. */
function isStarField(field: string): boolean {
  return field.split(',').some((part) => {
    const [range, step] = part.split('/');
    const lowAndHigh = range!.split('-');
    if (lowAndHigh[0] !== '*' && lowAndHigh[0] !== '?') return false;
    return step === undefined || Number(step) <= 1;
  });
}

/**
 * Parses `spec` (which may carry a `TZ=`/`CRON_TZ=` prefix) for evaluation in `timeZone`;
 * throws with the validation wording on a bad spec.
 */
export function parseSchedule(spec: string, timeZone?: string): Schedule {
  const fields = parseCronSchedule(spec);
  let text = spec.trim();
  let zone = timeZone ?? 'UTC';
  if (text.startsWith('TZ=') || text.startsWith('CRON_TZ=')) {
    const i = text.indexOf(' ');
    zone = text.slice(text.indexOf('=') + 1, i < 0 ? undefined : i);
    text = i < 0 ? '' : text.slice(i).trim();
  }
  wallClock(zone); // throws on an unknown zone
  if (fields.everyMs !== undefined) {
    let every = fields.everyMs - (fields.everyMs % SECOND);
    if (every < SECOND) every = SECOND;
    return { fields, domStar: true, dowStar: true, timeZone: zone, everyMs: every };
  }
  let domStar: boolean;
  let dowStar: boolean;
  if (text.startsWith('@')) {
    domStar = text !== '@yearly' && text !== '@annually' && text !== '@monthly';
    dowStar = text !== '@weekly';
  } else {
    const parts = text.split(/\s+/);
    domStar = isStarField(parts[2]!);
    dowStar = isStarField(parts[4]!);
  }
  return { fields, domStar, dowStar, timeZone: zone };
}

function dayMatches(s: Schedule, year: number, month: number, day: number): boolean {
  const dom = s.fields.daysOfMonth.has(day);
  const dow = s.fields.daysOfWeek.has(new Date(Date.UTC(year, month - 1, day)).getUTCDay());
  return s.domStar || s.dowStar ? dom && dow : dom || dow;
}

/**
 * The first scheduled instant strictly after `after` (epoch ms), or undefined when none falls
 * within five years (a schedule like `0 0 30 2 *` never runs).
 */
export function nextScheduleTime(s: Schedule, after: number): number | undefined {
  if (s.everyMs !== undefined) return Math.floor(after / SECOND) * SECOND + s.everyMs;
  const z: WallClock = wallClock(s.timeZone);
  const f = s.fields;
  // Start at the next whole second; `added` notes that lower fields were already reset to zero.
  let t = Math.floor(after / SECOND) * SECOND + SECOND;
  let added = false;
  const yearLimit = z.wall(t).year + 5;
  wrap: for (;;) {
    let w = z.wall(t);
    if (w.year > yearLimit) return undefined;
    while (!f.months.has(w.month)) {
      if (!added) {
        added = true;
        t = z.fromWall(w.year, w.month, 1, 0, 0, 0);
        w = z.wall(t);
      }
      t = z.fromWall(w.year, w.month + 1, w.day, w.hour, w.minute, w.second);
      w = z.wall(t);
      if (w.month === 1) continue wrap;
    }
    while (!dayMatches(s, w.year, w.month, w.day)) {
      if (!added) {
        added = true;
        t = z.fromWall(w.year, w.month, w.day, 0, 0, 0);
        w = z.wall(t);
      }
      t = z.fromWall(w.year, w.month, w.day + 1, w.hour, w.minute, w.second);
      w = z.wall(t);
      // Where DST moved midnight, step back to the day's start (or on to the next day's).
      if (w.hour !== 0) {
        t += w.hour > 12 ? (24 - w.hour) * HOUR : -w.hour * HOUR;
        w = z.wall(t);
      }
      if (w.day === 1) continue wrap;
    }
    while (!f.hours.has(w.hour)) {
      if (!added) {
        added = true;
        t = z.fromWall(w.year, w.month, w.day, w.hour, 0, 0);
      }
      t += HOUR;
      w = z.wall(t);
      if (w.hour === 0) continue wrap;
    }
    while (!f.minutes.has(w.minute)) {
      if (!added) {
        added = true;
        t = Math.floor(t / MINUTE) * MINUTE;
      }
      t += MINUTE;
      w = z.wall(t);
      if (w.minute === 0) continue wrap;
    }
    while (w.second !== 0) {
      if (!added) {
        added = true;
        t = Math.floor(t / SECOND) * SECOND;
      }
      t += SECOND;
      w = z.wall(t);
      if (w.second === 0) continue wrap;
    }
    return t;
  }
}

export interface MostRecent {
  /** The latest scheduled time in (earliest, now], if any. */
  time?: number;
  /** How many scheduled times were missed in that window (an estimate past 100). */
  missed: number;
}

const MAX_EXACT_MISSES = 100;

/** The latest schedule time after `earliest` and not after `now`, and how many were missed. */
export function mostRecentScheduleTime(s: Schedule, earliest: number, now: number): MostRecent {
  let t = nextScheduleTime(s, earliest);
  let last: number | undefined;
  let missed = 0;
  while (t !== undefined && t <= now) {
    last = t;
    missed++;
    if (missed > MAX_EXACT_MISSES) {
      // Far behind (a stopped controller, a skewed clock): estimate the count from the interval
      // and jump to just before `now` rather than walk every missed time.
      const second = nextScheduleTime(s, t);
      if (second === undefined) break;
      const interval = Math.max(SECOND, second - t);
      missed += Math.floor((now - t) / interval);
      let from = Math.max(t, now - 2 * interval);
      for (let u = nextScheduleTime(s, from); u !== undefined && u <= now; u = nextScheduleTime(s, u)) {
        last = u;
        from = u;
      }
      break;
    }
    t = nextScheduleTime(s, t);
  }
  return { time: last, missed };
}
