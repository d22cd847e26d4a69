import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { age, boolPtrCell, containerCells, formatLabels, selectorCell, since } from './printing.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');

describe('printing cells', () => {
  it('since and age print the time since a timestamp, or <unknown>', () => {
    assert.equal(since('2024-01-01T00:00:00Z', T0 + 90_000), '90s');
    assert.equal(since(undefined, T0), '<unknown>');
    assert.equal(since('not a time', T0), '<unknown>');
    assert.equal(age({ metadata: { creationTimestamp: '2024-01-01T00:00:00Z' } }, T0 + 3 * 60_000), '3m');
    assert.equal(age({}, T0), '<unknown>');
  });

  it('containerCells joins names and images with commas', () => {
    assert.deepEqual(containerCells([{ name: 'a', image: 'x:1' }, { name: 'b' }]), ['a,b', 'x:1,']);
    assert.deepEqual(containerCells(undefined), ['', '']);
  });

  it('formatLabels sorts keys and prints <none> for an empty map', () => {
    assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
    assert.equal(formatLabels(undefined), '<none>');
    assert.equal(formatLabels({}), '<none>');
  });

  it('selectorCell prints a label selector or <none>', () => {
    assert.equal(selectorCell({ matchLabels: { app: 'web' } }), 'app=web');
    assert.equal(selectorCell(undefined), '<none>');
  });

  it('boolPtrCell prints True, False or <unset>', () => {
    assert.equal(boolPtrCell(true), 'True');
    assert.equal(boolPtrCell(false), 'False');
    assert.equal(boolPtrCell(undefined), '<unset>');
  });
});
