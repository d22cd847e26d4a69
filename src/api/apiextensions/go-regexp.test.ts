import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGoPattern } from './go-regexp.js';

function matches(pattern: string, s: string): boolean {
  const c = compileGoPattern(pattern);
  if ('error' in c) throw new Error(c.error);
  return c.re.test(s);
}

const cases: [string, string, boolean][] = [
  ['^[a-z]+$', 'abc', true],
  ['\\Aabc\\z', 'abc', true],
  ['\\Aabc\\z', 'abc\n', false],
  ['^[[:alpha:]]+[[:digit:]]$', 'ab1', true],
  ['^(?P<word>\\w+)$', 'hi', true],
  ['(?i)^abc$', 'ABC', true],
  ['^\\Qa.b\\E$', 'a.b', true],
  ['^\\Qa.b\\E$', 'axb', false],
  ['^\\s$', '\u00a0', false],
  ['^\\pL+$', 'héllo', true],
];

for (const [p, s, want] of cases) {
  test(`compileGoPattern: ${JSON.stringify(p)} ${want ? 'matches' : 'does not match'} ${JSON.stringify(s)}`, () => {
    assert.equal(matches(p, s), want);
  });
}

test('compileGoPattern rejects what RE2 rejects, with the Go parser\'s wording', () => {
  assert.deepEqual(compileGoPattern('+'), { error: 'error parsing regexp: missing argument to repetition operator: `+`' });
  assert.deepEqual(compileGoPattern('a(?=b)'), { error: 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`' });
  assert.deepEqual(compileGoPattern('(a)\\1'), { error: 'error parsing regexp: invalid escape sequence: `\\1`' });
});
