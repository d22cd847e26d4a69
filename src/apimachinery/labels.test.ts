import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseSelector, selectorFromLabelSelector, selectorToString, formatLabelSelector, selectorFromSet,
  everything, nothing,
} from './labels.js';
import { StatusError } from './status.js';

describe('parseSelector', () => {
  const cases: { s: string; str: string; match: Record<string, string>[]; noMatch: Record<string, string>[] }[] = [
    { s: '', str: '', match: [{}, { a: 'b' }], noMatch: [] },
    { s: 'app=web', str: 'app=web', match: [{ app: 'web', x: 'y' }], noMatch: [{}, { app: 'db' }] },
    { s: 'app==web', str: 'app==web', match: [{ app: 'web' }], noMatch: [{ app: 'x' }] },
    { s: 'app!=web', str: 'app!=web', match: [{}, { app: 'db' }], noMatch: [{ app: 'web' }] },
    { s: 'tier in (b, a)', str: 'tier in (a,b)', match: [{ tier: 'a' }, { tier: 'b' }], noMatch: [{}, { tier: 'c' }] },
    { s: 'tier notin (a,b)', str: 'tier notin (a,b)', match: [{}, { tier: 'c' }], noMatch: [{ tier: 'a' }] },
    { s: 'canary', str: 'canary', match: [{ canary: '' }], noMatch: [{}] },
    { s: '!canary', str: '!canary', match: [{}], noMatch: [{ canary: 'x' }] },
    { s: '  z = 1 ,  a in (x) , !b ', str: 'a in (x),!b,z=1', match: [{ a: 'x', z: '1' }], noMatch: [{ a: 'x', z: '1', b: '' }] },
    { s: 'x=', str: 'x=', match: [{ x: '' }], noMatch: [{}, { x: 'a' }] },
    { s: 'x in (in,notin)', str: 'x in (in,notin)', match: [{ x: 'in' }], noMatch: [{ x: 'y' }] },
    { s: 'x in (a,,b)', str: 'x in (,a,b)', match: [{ x: '' }, { x: 'b' }], noMatch: [{}] },
    { s: 'x in ()', str: 'x in ()', match: [{ x: '' }], noMatch: [{ x: 'a' }] },
    { s: 'n>5', str: 'n>5', match: [{ n: '6' }], noMatch: [{ n: '5' }, { n: 'x' }, {}] },
    { s: 'n<5', str: 'n<5', match: [{ n: '-1' }], noMatch: [{ n: '5' }] },
    { s: 'example.com/role=db', str: 'example.com/role=db', match: [{ 'example.com/role': 'db' }], noMatch: [{ role: 'db' }] },
  ];
  for (const c of cases) {
    test(`"${c.s}" renders as "${c.str}" and matches as Kubernetes does`, () => {
      const sel = parseSelector(c.s);
      assert.equal(sel.toString(), c.str);
      for (const l of c.match) assert.equal(sel.matches(l), true, `should match ${JSON.stringify(l)}`);
      for (const l of c.noMatch) assert.equal(sel.matches(l), false, `should not match ${JSON.stringify(l)}`);
    });
  }

  test('requirements are sorted by key', () => {
    assert.deepEqual(parseSelector('b=1,a=2').requirements.map((r) => r.key), ['a', 'b']);
  });

  test('empty() is true only without requirements', () => {
    assert.equal(parseSelector('').empty(), true);
    assert.equal(parseSelector('a').empty(), false);
  });

  test('matches treats undefined labels as no labels', () => {
    assert.equal(parseSelector('!a').matches(undefined), true);
    assert.equal(parseSelector('a').matches(undefined), false);
  });

  const bad: [string, string][] = [
    ['a=b,', "found '', expected: identifier after ','"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x (a)', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['x=a=b', "found '=', expected: ',' or 'end of string'"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['n>x', "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"],
  ];
  for (const [s, msg] of bad) {
    test(`"${s}" is a BadRequest: ${msg}`, () => {
      assert.throws(() => parseSelector(s), (e: unknown) => {
        assert.ok(e instanceof StatusError);
        assert.equal(e.code, 400);
        assert.equal(e.reason, 'BadRequest');
        assert.equal(e.message, msg);
        return true;
      });
    });
  }

  test('an invalid key is reported with the <nil> path Kubernetes prints', () => {
    assert.throws(() => parseSelector('-a=b'), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.match(e.message, /^unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric/);
      return true;
    });
  });

  test('an invalid value names the value path and key', () => {
    assert.throws(() => parseSelector('a=-b'), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.match(e.message, /^unable to parse requirement: values\[0\]\[a\]: Invalid value: "-b": a valid label must be an empty string/);
      return true;
    });
  });

  test('requiresExactMatch finds equality and single-value in', () => {
    assert.equal(parseSelector('a=1,b in (2)').requiresExactMatch('b'), '2');
    assert.equal(parseSelector('a=1').requiresExactMatch('a'), '1');
    assert.equal(parseSelector('a!=1').requiresExactMatch('a'), undefined);
    assert.equal(parseSelector('a in (1,2)').requiresExactMatch('a'), undefined);
  });
});

describe('selectorFromLabelSelector', () => {
  test('null and undefined match nothing', () => {
    for (const ls of [null, undefined]) {
      const sel = selectorFromLabelSelector(ls);
      assert.equal(sel.matches({}), false);
      assert.equal(sel.matches({ a: 'b' }), false);
      assert.equal(sel.empty(), false);
    }
  });

  test('an empty selector matches everything', () => {
    for (const ls of [{}, { matchLabels: {} }, { matchExpressions: [] }]) {
      const sel = selectorFromLabelSelector(ls);
      assert.equal(sel.matches({}), true);
      assert.equal(sel.matches({ a: 'b' }), true);
      assert.equal(sel.empty(), true);
    }
  });

  const cases: { ls: Parameters<typeof selectorFromLabelSelector>[0]; ok: Record<string, string>[]; no: Record<string, string>[] }[] = [
    { ls: { matchLabels: { app: 'web' } }, ok: [{ app: 'web' }], no: [{ app: 'x' }] },
    { ls: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, ok: [{ tier: 'b' }], no: [{}] },
    { ls: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, ok: [{}, { tier: 'b' }], no: [{ tier: 'a' }] },
    { ls: { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, ok: [{ gpu: '' }], no: [{}] },
    { ls: { matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }, ok: [{}], no: [{ gpu: '1' }] },
  ];
  for (const c of cases) {
    test(`${JSON.stringify(c.ls)} matches per its operators`, () => {
      const sel = selectorFromLabelSelector(c.ls);
      for (const l of c.ok) assert.equal(sel.matches(l), true);
      for (const l of c.no) assert.equal(sel.matches(l), false);
    });
  }

  test('an unknown operator is a BadRequest', () => {
    assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }),
      (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === '"Gt" is not a valid label selector operator');
  });

  test('In without values is rejected with Kubernetes wording', () => {
    assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
      /values: Invalid value: \[\]: for 'in', 'notin' operators, values set can't be empty/);
  });

  test('an invalid matchLabels key is rejected', () => {
    assert.throws(() => selectorFromLabelSelector({ matchLabels: { 'a/b/c': 'x' } }), /key: Invalid value: "a\/b\/c"/);
  });
});

describe('selectorToString and formatLabelSelector', () => {
  const cases: [Parameters<typeof selectorToString>[0], string, string][] = [
    [{ matchLabels: { tier: 'fe', app: 'web' } }, 'app=web,tier=fe', 'app=web,tier=fe'],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] },
      'app=web,tier in (a,b)', 'app=web,tier in (a,b)'],
    [{ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }, { key: 'a', operator: 'Exists' }] }, 'a,!x', 'a,!x'],
    [{}, '', '<none>'],
    [null, '', '<none>'],
  ];
  for (const [ls, str, formatted] of cases) {
    test(`${JSON.stringify(ls)} → "${str}" / "${formatted}"`, () => {
      assert.equal(selectorToString(ls), str);
      assert.equal(formatLabelSelector(ls), formatted);
    });
  }

  test('formatLabelSelector shows <error> for an invalid selector', () => {
    assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), '<error>');
  });
});

test('selectorFromSet, everything and nothing', () => {
  assert.equal(selectorFromSet({ b: '2', a: '1' }).toString(), 'a=1,b=2');
  assert.equal(selectorFromSet(undefined).matches({ x: 'y' }), true);
  assert.equal(everything().matches({}), true);
  assert.equal(nothing().matches({}), false);
});
