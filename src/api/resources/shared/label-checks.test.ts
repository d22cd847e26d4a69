import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toSelector, validateLabelSelector, validateLabels } from './label-checks.js';

describe('validateLabels', () => {
  it('reports bad keys and values on the map path', () => {
    assert.deepEqual(validateLabels({ app: 'web' }, 'metadata.labels'), []);
    const errs = validateLabels({ 'bad key': 'web', ok: 'bad value!' }, 'metadata.labels');
    assert.equal(errs.length, 2);
    assert.ok(errs.every((e) => e.field === 'metadata.labels' && e.type === 'FieldValueInvalid'));
    assert.match(errs[0]!.message, /^Invalid value: "bad key": /);
    assert.match(errs[1]!.message, /^Invalid value: "bad value!": /);
  });
});

describe('validateLabelSelector', () => {
  it('checks matchLabels and each requirement of matchExpressions', () => {
    assert.deepEqual(validateLabelSelector(undefined, 'spec.selector'), []);
    const errs = validateLabelSelector({
      matchLabels: { 'bad key': 'x' },
      matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists', values: ['x'] }, { key: 'c', operator: 'Near' }],
    }, 'spec.selector');
    assert.deepEqual(errs.map((e) => `${e.type} ${e.field}`), [
      'FieldValueInvalid spec.selector.matchLabels',
      'FieldValueRequired spec.selector.matchExpressions[0].values',
      'FieldValueForbidden spec.selector.matchExpressions[1].values',
      'FieldValueInvalid spec.selector.matchExpressions[2].operator',
    ]);
  });
});

describe('toSelector', () => {
  it('converts a valid selector and gives undefined for one it cannot convert', () => {
    assert.equal(toSelector({ matchLabels: { app: 'web' } })?.matches({ app: 'web' }), true);
    assert.equal(toSelector({ matchExpressions: [{ key: 'a', operator: 'Near' }] }), undefined);
  });
});
