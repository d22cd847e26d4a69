import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseFieldSelector, fieldLabelNotSupported, escapeFieldValue, unescapeFieldValue, fieldSelectorFromSet } from './fields.js';
import { StatusError } from './status.js';

const pod: Record<string, string> = { 'metadata.name': 'web', 'spec.nodeName': 'n1', 'status.phase': 'Running' };
const get = (f: string) => pod[f];

describe('parseFieldSelector', () => {
  const cases: { s: string; reqs: { field: string; op: '=' | '!='; value: string }[]; matches: boolean }[] = [
    { s: '', reqs: [], matches: true },
    { s: 'metadata.name=web', reqs: [{ field: 'metadata.name', op: '=', value: 'web' }], matches: true },
    { s: 'metadata.name==web', reqs: [{ field: 'metadata.name', op: '=', value: 'web' }], matches: true },
    { s: 'status.phase!=Running', reqs: [{ field: 'status.phase', op: '!=', value: 'Running' }], matches: false },
    { s: 'spec.nodeName=n1,status.phase!=Pending', reqs: [
      { field: 'spec.nodeName', op: '=', value: 'n1' }, { field: 'status.phase', op: '!=', value: 'Pending' }], matches: true },
    { s: 'status.phase!=Pending,spec.nodeName=n1', reqs: [
      { field: 'spec.nodeName', op: '=', value: 'n1' }, { field: 'status.phase', op: '!=', value: 'Pending' }], matches: true },
    { s: 'spec.nodeName=', reqs: [{ field: 'spec.nodeName', op: '=', value: '' }], matches: false },
    { s: 'spec.missing=', reqs: [{ field: 'spec.missing', op: '=', value: '' }], matches: true },
    { s: 'a=x\\,y\\=z\\\\', reqs: [{ field: 'a', op: '=', value: 'x,y=z\\' }], matches: false },
    { s: 'a=b,,', reqs: [{ field: 'a', op: '=', value: 'b' }], matches: false },
  ];
  for (const c of cases) {
    test(`"${c.s}" parses and matches`, () => {
      const sel = parseFieldSelector(c.s);
      assert.deepEqual(sel.requirements, c.reqs);
      assert.equal(sel.matches(get), c.matches);
      assert.equal(sel.empty(), c.reqs.length === 0);
    });
  }

  const bad: [string, string][] = [
    ['metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'"],
    ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
  ];
  for (const [s, msg] of bad) {
    test(`"${s}" is a BadRequest`, () => {
      assert.throws(() => parseFieldSelector(s), (e: unknown) =>
        e instanceof StatusError && e.code === 400 && e.reason === 'BadRequest' && e.message === msg);
    });
  }

  test('toString re-escapes values and keeps the sorted order', () => {
    assert.equal(parseFieldSelector('b!=2,a=x\\,y').toString(), 'a=x\\,y,b!=2');
  });

  test('onlyField is set only for a lone equality term', () => {
    assert.equal(parseFieldSelector('metadata.name=web').onlyField('metadata.name'), 'web');
    assert.equal(parseFieldSelector('metadata.name=web').onlyField('spec.nodeName'), undefined);
    assert.equal(parseFieldSelector('metadata.name!=web').onlyField('metadata.name'), undefined);
    assert.equal(parseFieldSelector('metadata.name=web,spec.nodeName=n1').onlyField('metadata.name'), undefined);
  });

  test('requiresExactMatch finds an equality term among others', () => {
    const sel = parseFieldSelector('metadata.name=web,spec.nodeName=n1');
    assert.equal(sel.requiresExactMatch('metadata.name'), 'web');
    assert.equal(sel.requiresExactMatch('status.phase'), undefined);
  });
});

test('escapeFieldValue and unescapeFieldValue round-trip', () => {
  for (const v of ['plain', 'a,b', 'a=b', 'back\\slash', '']) assert.equal(unescapeFieldValue(escapeFieldValue(v)), v);
  assert.equal(escapeFieldValue('a,b=c\\'), 'a\\,b\\=c\\\\');
});

test('fieldSelectorFromSet builds equality terms', () => {
  const sel = fieldSelectorFromSet({ 'metadata.name': 'a,b' });
  assert.equal(sel.onlyField('metadata.name'), 'a,b');
  assert.equal(sel.toString(), 'metadata.name=a\\,b');
});

test('fieldLabelNotSupported is a 400 naming the field', () => {
  const e = fieldLabelNotSupported('spec.foo', 'Pod');
  assert.equal(e.code, 400);
  assert.equal(e.reason, 'BadRequest');
  assert.equal(e.message, 'field label not supported: spec.foo');
  assert.equal(e.details?.kind, 'Pod');
});
