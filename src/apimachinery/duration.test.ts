import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, shortHumanDuration, formatTime, formatMicroTime, parseTime } from './duration.js';
import { StatusError } from './status.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('humanDuration', () => {
  const cases: [number, string][] = [
    [-2 * s, '<invalid>'],
    [-1999, '0s'],
    [-1 * s, '0s'],
    [0, '0s'],
    [999, '0s'],
    [5 * s, '5s'],
    [119 * s, '119s'],
    [120 * s, '2m'],
    [123 * s, '2m3s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m, '10m'],
    [10 * m + 59 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [3 * h + 5 * m, '3h5m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h + 30 * m, '8h'],
    [47 * h, '47h'],
    [48 * h, '2d'],
    [3 * d + 4 * h, '3d4h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d + 5 * h, '8d'],
    [729 * d, '729d'],
    [2 * y, '2y'],
    [2 * y + 45 * d, '2y45d'],
    [8 * y, '8y'],
    [8 * y + 100 * d, '8y'],
  ];
  for (const [ms, want] of cases) test(`${ms}ms → ${want}`, () => assert.equal(humanDuration(ms), want));
});

describe('shortHumanDuration', () => {
  const cases: [number, string][] = [
    [-2 * s, '<invalid>'], [-1 * s, '0s'], [59 * s, '59s'], [60 * s, '1m'], [59 * m, '59m'],
    [h, '1h'], [23 * h, '23h'], [d, '1d'], [364 * d, '364d'], [y, '1y'], [3 * y, '3y'],
  ];
  for (const [ms, want] of cases) test(`${ms}ms → ${want}`, () => assert.equal(shortHumanDuration(ms), want));
});

describe('time formatting', () => {
  const t = Date.UTC(2024, 1, 29, 13, 4, 5, 678);
  test('formatTime drops the fraction and ends in Z', () => assert.equal(formatTime(t), '2024-02-29T13:04:05Z'));
  test('formatTime truncates rather than rounds', () => assert.equal(formatTime(t + 999), '2024-02-29T13:04:06Z'));
  test('formatTime of times in and out of the same second, in any order', () => {
    const seq: [number, string][] = [
      [t, '2024-02-29T13:04:05Z'], [t + 100, '2024-02-29T13:04:05Z'], [t + 400, '2024-02-29T13:04:06Z'],
      [t - 1000, '2024-02-29T13:04:04Z'], [t, '2024-02-29T13:04:05Z'], [0, '1970-01-01T00:00:00Z'],
    ];
    for (const [ms, want] of seq) assert.equal(formatTime(ms), want, String(ms));
    assert.throws(() => formatTime(NaN), RangeError);
  });
  test('formatMicroTime always has six fractional digits', () => {
    assert.equal(formatMicroTime(t), '2024-02-29T13:04:05.678000Z');
    assert.equal(formatMicroTime(Date.UTC(2024, 0, 1)), '2024-01-01T00:00:00.000000Z');
    assert.equal(formatMicroTime(Date.UTC(2024, 0, 1) + 1.5), '2024-01-01T00:00:00.001500Z');
  });
});

describe('parseTime', () => {
  const cases: [string, number][] = [
    ['2024-02-29T13:04:05Z', Date.UTC(2024, 1, 29, 13, 4, 5)],
    ['2024-02-29T13:04:05.678Z', Date.UTC(2024, 1, 29, 13, 4, 5, 678)],
    ['2024-02-29T13:04:05.678901Z', Date.UTC(2024, 1, 29, 13, 4, 5, 678)],
    ['2024-02-29T15:04:05+02:00', Date.UTC(2024, 1, 29, 13, 4, 5)],
    ['2024-02-29T08:34:05-04:30', Date.UTC(2024, 1, 29, 13, 4, 5)],
  ];
  for (const [text, ms] of cases) test(`${text}`, () => assert.equal(parseTime(text), ms));

  test('round-trips formatTime and formatMicroTime', () => {
    const t = Date.UTC(2023, 11, 31, 23, 59, 59, 250);
    assert.equal(parseTime(formatTime(t)), t - 250);
    assert.equal(parseTime(formatMicroTime(t)), t);
  });

  for (const bad of ['', '2024-02-29', '2024-02-30T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01 00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T00:00:00']) {
    test(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseTime(bad), (e: unknown) => e instanceof StatusError && e.code === 400);
    });
  }
});
