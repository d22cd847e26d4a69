import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mostRecentScheduleTime, nextScheduleTime, parseSchedule } from './schedule.js';
import { formatInZone, wallClock } from './timezone.js';

const iso = (s: string) => Date.parse(s);
const show = (t: number | undefined) => (t === undefined ? 'never' : new Date(t).toISOString());

const cases: { spec: string; tz?: string; after: string; want: string | undefined; why: string }[] = [
  { spec: '*/1 * * * *', after: '2024-05-01T10:00:30Z', want: '2024-05-01T10:01:00Z', why: 'every minute' },
  { spec: '* * * * *', after: '2024-05-01T10:00:00Z', want: '2024-05-01T10:01:00Z', why: 'strictly after' },
  { spec: '0 * * * *', after: '2024-05-01T10:00:00Z', want: '2024-05-01T11:00:00Z', why: 'hourly' },
  { spec: '*/15 9-17 * * *', after: '2024-05-01T17:45:00Z', want: '2024-05-02T09:00:00Z', why: 'range with step wraps to next day' },
  { spec: '5,35 */6 * * *', after: '2024-05-01T06:10:00Z', want: '2024-05-01T06:35:00Z', why: 'lists and steps' },
  { spec: '0 12 * jan,jul sun', after: '2024-02-01T00:00:00Z', want: '2024-07-07T12:00:00Z', why: 'month and weekday names' },
  { spec: '0 0 * * 1', after: '2024-05-01T00:00:00Z', want: '2024-05-06T00:00:00Z', why: 'star day-of-month: weekday must match' },
  { spec: '0 0 1,15 * 1', after: '2024-05-02T00:00:00Z', want: '2024-05-06T00:00:00Z', why: 'both day fields set: either matches' },
  { spec: '0 0 1,15 * 1', after: '2024-05-13T00:00:00Z', want: '2024-05-15T00:00:00Z', why: 'day of month matches alone' },
  { spec: '0 0 */2 * 1', after: '2024-05-01T00:00:00Z', want: '2024-05-03T00:00:00Z', why: 'a stepped star is not a star' },
  { spec: '0 0 29 2 *', after: '2024-03-01T00:00:00Z', want: '2028-02-29T00:00:00Z', why: 'leap day' },
  { spec: '0 0 30 2 *', after: '2024-03-01T00:00:00Z', want: undefined, why: 'a date that never comes' },
  { spec: '@hourly', after: '2024-05-01T10:59:59.500Z', want: '2024-05-01T11:00:00Z', why: '@hourly' },
  { spec: '@daily', tz: 'Asia/Kolkata', after: '2024-01-01T00:00:00Z', want: '2024-01-01T18:30:00Z', why: 'half-hour zone' },
  { spec: '@weekly', after: '2024-05-01T00:00:00Z', want: '2024-05-05T00:00:00Z', why: '@weekly is Sunday midnight' },
  { spec: '@monthly', after: '2024-05-01T00:00:00Z', want: '2024-06-01T00:00:00Z', why: '@monthly' },
  { spec: '@yearly', after: '2024-05-01T00:00:00Z', want: '2025-01-01T00:00:00Z', why: '@yearly' },
  { spec: '@every 90s', after: '2024-05-01T10:00:00.500Z', want: '2024-05-01T10:01:30Z', why: '@every from the whole second' },
  { spec: '@every 1h30m', after: '2024-05-01T10:00:00Z', want: '2024-05-01T11:30:00Z', why: '@every with units' },
  { spec: '0 9 * * 1-5', tz: 'America/New_York', after: '2024-03-08T15:00:00Z', want: '2024-03-11T13:00:00Z', why: 'weekdays across the spring DST change' },
  { spec: '0 0 * * *', tz: 'America/New_York', after: '2024-01-15T12:00:00Z', want: '2024-01-16T05:00:00Z', why: 'EST midnight' },
  { spec: '0 0 * * *', tz: 'America/New_York', after: '2024-07-15T12:00:00Z', want: '2024-07-16T04:00:00Z', why: 'EDT midnight' },
  { spec: 'TZ=America/New_York 0 0 * * *', after: '2024-07-15T12:00:00Z', want: '2024-07-16T04:00:00Z', why: 'TZ prefix in the schedule' },
  // 2024-03-10: New York clocks go 01:59:59 EST -> 03:00:00 EDT, so 02:xx never happens that day.
  { spec: '30 2 * * *', tz: 'America/New_York', after: '2024-03-10T05:00:00Z', want: '2024-03-11T06:30:00Z', why: 'skipped wall time does not run' },
  { spec: '0 2 * * *', tz: 'America/New_York', after: '2024-03-09T08:00:00Z', want: '2024-03-11T06:00:00Z', why: 'skipped hour' },
  { spec: '30 3 * * *', tz: 'America/New_York', after: '2024-03-10T05:00:00Z', want: '2024-03-10T07:30:00Z', why: 'first hour after the gap' },
  { spec: '0 * * * *', tz: 'America/New_York', after: '2024-03-10T06:00:00Z', want: '2024-03-10T07:00:00Z', why: 'hourly jumps from 01:00 EST to 03:00 EDT' },
  // 2024-11-03: New York clocks go 01:59:59 EDT -> 01:00:00 EST, so 01:xx happens twice.
  { spec: '30 1 * * *', tz: 'America/New_York', after: '2024-11-03T04:00:00Z', want: '2024-11-03T05:30:00Z', why: 'repeated wall time, first run' },
  { spec: '30 1 * * *', tz: 'America/New_York', after: '2024-11-03T05:30:00Z', want: '2024-11-03T06:30:00Z', why: 'repeated wall time runs again' },
  { spec: '30 1 * * *', tz: 'America/New_York', after: '2024-11-03T06:30:00Z', want: '2024-11-04T06:30:00Z', why: 'then daily in EST' },
  { spec: '0 * * * *', tz: 'America/New_York', after: '2024-11-03T05:00:00Z', want: '2024-11-03T06:00:00Z', why: 'hourly through the repeated hour' },
  { spec: '0 12 * * *', tz: 'Australia/Sydney', after: '2024-04-06T00:00:00Z', want: '2024-04-06T01:00:00Z', why: 'southern hemisphere daylight time' },
];

for (const c of cases) {
  test(`next schedule time: ${c.spec}${c.tz ? ` in ${c.tz}` : ''} — ${c.why}`, () => {
    const s = parseSchedule(c.spec, c.tz);
    assert.equal(show(nextScheduleTime(s, iso(c.after))), c.want === undefined ? 'never' : new Date(iso(c.want)).toISOString());
  });
}

test('parseSchedule rejects bad specs and unknown zones', () => {
  assert.throws(() => parseSchedule('* * * *'), /expected exactly 5 fields/);
  assert.throws(() => parseSchedule('61 * * * *'), /above maximum/);
  assert.throws(() => parseSchedule('* * * * *', 'Mars/Olympus'));
});

test('wall clock resolves New York gap and overlap like Go time.Date', () => {
  const ny = wallClock('America/New_York');
  assert.equal(new Date(ny.fromWall(2024, 3, 10, 2, 30, 0)).toISOString(), '2024-03-10T06:30:00.000Z');
  assert.equal(new Date(ny.fromWall(2024, 11, 3, 1, 30, 0)).toISOString(), '2024-11-03T05:30:00.000Z');
  assert.equal(new Date(ny.fromWall(2024, 13, 1, 0, 0, 0)).toISOString(), '2025-01-01T05:00:00.000Z');
  assert.deepEqual(ny.wall(iso('2024-11-03T06:30:00Z')), { year: 2024, month: 11, day: 3, hour: 1, minute: 30, second: 0 });
});

test('formatInZone writes RFC 3339 with the zone offset', () => {
  assert.equal(formatInZone(iso('2024-01-15T05:00:00Z'), 'America/New_York'), '2024-01-15T00:00:00-05:00');
  assert.equal(formatInZone(iso('2024-01-15T05:00:00Z'), 'UTC'), '2024-01-15T05:00:00Z');
  assert.equal(formatInZone(iso('2024-01-15T05:00:00Z'), 'Asia/Kolkata'), '2024-01-15T10:30:00+05:30');
});

test('mostRecentScheduleTime finds the latest missed time and counts misses', () => {
  const s = parseSchedule('*/5 * * * *');
  assert.deepEqual(mostRecentScheduleTime(s, iso('2024-05-01T10:00:00Z'), iso('2024-05-01T10:04:59Z')), { time: undefined, missed: 0 });
  assert.deepEqual(mostRecentScheduleTime(s, iso('2024-05-01T10:00:00Z'), iso('2024-05-01T10:05:00Z')), { time: iso('2024-05-01T10:05:00Z'), missed: 1 });
  assert.deepEqual(mostRecentScheduleTime(s, iso('2024-05-01T10:00:00Z'), iso('2024-05-01T10:17:00Z')), { time: iso('2024-05-01T10:15:00Z'), missed: 3 });
  const far = mostRecentScheduleTime(s, iso('2024-05-01T10:00:00Z'), iso('2024-05-03T10:02:00Z'));
  assert.equal(far.time, iso('2024-05-03T10:00:00Z'));
  assert.ok(far.missed > 100);
  const irregular = mostRecentScheduleTime(parseSchedule('30 6-16/4 * * 1-5'), iso('2024-04-01T00:00:00Z'), iso('2024-05-01T12:00:00Z'));
  assert.equal(irregular.time, iso('2024-05-01T10:30:00Z'));
});
