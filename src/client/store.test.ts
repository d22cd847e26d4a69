import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../apimachinery/object.js';
import { IndexedStore } from './store.js';

function o(ns: string | undefined, name: string, labels: Record<string, string> = {}): KubeObject {
  return { metadata: { name, ...(ns ? { namespace: ns } : {}), labels } };
}

const names = (objs: KubeObject[]) => objs.map((x) => x.metadata?.name).sort();

describe('IndexedStore', () => {
  test('keys objects by namespace/name, or name when cluster-scoped', () => {
    const s = new IndexedStore();
    s.add(o('a', 'x'));
    s.add(o(undefined, 'node1'));
    assert.deepEqual(s.keys().sort(), ['a/x', 'node1']);
    assert.equal(s.get('a/x')?.metadata?.name, 'x');
    assert.equal(s.size, 2);
  });

  test('always has a namespace index, kept current by add, update and delete', () => {
    const s = new IndexedStore();
    s.add(o('a', 'x'));
    s.add(o('a', 'y'));
    s.add(o('b', 'z'));
    assert.deepEqual(names(s.byIndex('namespace', 'a')), ['x', 'y']);
    assert.equal(s.delete('a/x')?.metadata?.name, 'x');
    assert.deepEqual(names(s.byIndex('namespace', 'a')), ['y']);
    s.delete(o('a', 'y'));
    assert.deepEqual(s.byIndex('namespace', 'a'), []);
    assert.equal(s.delete('a/none'), undefined);
  });

  test('custom indexes follow updates that change the indexed values', () => {
    const s = new IndexedStore({ app: (x) => (x.metadata?.labels?.app ? [x.metadata.labels.app] : []) });
    s.add(o('a', 'x', { app: 'web' }));
    const old = s.update(o('a', 'x', { app: 'db' }));
    assert.equal(old?.metadata?.labels?.app, 'web');
    assert.deepEqual(s.byIndex('app', 'web'), []);
    assert.deepEqual(names(s.byIndex('app', 'db')), ['x']);
  });

  test('an index added later covers what the store already holds; unknown indexes throw', () => {
    const s = new IndexedStore();
    s.add(o('a', 'x', { tier: 'front' }));
    s.addIndex('tier', (x) => [x.metadata?.labels?.tier ?? '']);
    assert.deepEqual(names(s.byIndex('tier', 'front')), ['x']);
    assert.throws(() => s.byIndex('nope', 'v'));
  });

  test('objects may sit under several values of one index; a throwing index function indexes nothing', () => {
    const s = new IndexedStore({
      multi: (x) => Object.keys(x.metadata?.labels ?? {}),
      broken: () => { throw new Error('bad'); },
    });
    s.add(o('a', 'x', { p: '1', q: '2' }));
    assert.deepEqual(names(s.byIndex('multi', 'p')), ['x']);
    assert.deepEqual(names(s.byIndex('multi', 'q')), ['x']);
    assert.deepEqual(s.byIndex('broken', ''), []);
    assert.equal(s.get('a/x')?.metadata?.name, 'x');
  });

  test('replace holds exactly the new items, indexes included', () => {
    const s = new IndexedStore();
    s.add(o('a', 'x'));
    s.add(o('b', 'y'));
    s.replace([o('b', 'y'), o('c', 'z')]);
    assert.deepEqual(s.keys().sort(), ['b/y', 'c/z']);
    assert.deepEqual(s.byIndex('namespace', 'a'), []);
    assert.deepEqual(names(s.byIndex('namespace', 'c')), ['z']);
  });
});
