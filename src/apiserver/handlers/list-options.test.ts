import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { listOptionErrors, sendInitialEventsOf, validateListOptions } from './list-options.js';

function errs(query: string, watch = false): string[] {
  return listOptionErrors(new URLSearchParams(query), watch).map((e) => `${e.field}: ${e.message}`);
}

describe('list options validation', () => {
  test('accepts what kube-apiserver accepts', () => {
    for (const [q, watch] of [
      ['', false], ['resourceVersion=1&resourceVersionMatch=Exact', false], ['resourceVersion=0&resourceVersionMatch=NotOlderThan', false],
      ['', true], ['sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true', true],
      ['sendInitialEvents=false&resourceVersionMatch=NotOlderThan', true],
      // Bookmarks are not required: rv=0 watches always could ask for initial events without them.
      ['sendInitialEvents=true&resourceVersionMatch=NotOlderThan', true],
      ['limit=5', true],
    ] as const) assert.deepEqual(errs(q, watch), [], q);
  });

  test('refuses list options as kube-apiserver words it', () => {
    assert.deepEqual(errs('resourceVersionMatch=Exact'), ['resourceVersionMatch: resourceVersionMatch is forbidden unless resourceVersion is provided']);
    assert.deepEqual(errs('resourceVersion=0&resourceVersionMatch=Exact'), ['resourceVersionMatch: resourceVersionMatch "exact" is forbidden for resourceVersion "0"']);
    assert.deepEqual(errs('resourceVersion=0&resourceVersionMatch=foo'), ['resourceVersionMatch: Unsupported value: "foo": supported values: "Exact", "NotOlderThan", ""']);
    assert.deepEqual(errs('resourceVersion=5&resourceVersionMatch=Exact&continue=abc'), ['resourceVersionMatch: resourceVersionMatch is forbidden when continue is provided']);
    assert.deepEqual(errs('sendInitialEvents=true'), ['sendInitialEvents: sendInitialEvents is forbidden for list']);
  });

  test('refuses watch options as kube-apiserver words it', () => {
    assert.deepEqual(errs('resourceVersionMatch=NotOlderThan', true), ['resourceVersionMatch: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided']);
    assert.deepEqual(errs('sendInitialEvents=true', true), ['resourceVersionMatch: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan']);
    assert.deepEqual(errs('sendInitialEvents=true&resourceVersionMatch=Exact', true), [
      'resourceVersionMatch: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
      'resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"',
    ]);
    assert.deepEqual(errs('sendInitialEvents=true&resourceVersionMatch=NotOlderThan&continue=1', true), ['resourceVersionMatch: resourceVersionMatch is forbidden when continue is provided']);
  });

  test('answers 422 Invalid on ListOptions.meta.k8s.io', () => {
    assert.throws(() => validateListOptions(new URLSearchParams('resourceVersionMatch=Exact'), false), (e: any) => {
      assert.equal(e.code, 422);
      assert.equal(e.reason, 'Invalid');
      assert.equal(e.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
      const st = e.toStatus();
      assert.equal(st.details.kind, 'ListOptions');
      assert.equal(st.details.group, 'meta.k8s.io');
      assert.deepEqual(st.details.causes, [{ reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided', field: 'resourceVersionMatch' }]);
      return true;
    });
  });

  test('defaults a watch from resourceVersion "" or "0" to a watch-list, as WatchList does in Kubernetes 1.32', () => {
    const of = (q: string) => sendInitialEventsOf(new URLSearchParams(q));
    assert.equal(of('watch=1'), true);
    assert.equal(of('watch=1&resourceVersion=0'), true);
    assert.equal(of('watch=1&resourceVersion=7'), undefined);
    assert.equal(of('watch=1&sendInitialEvents=false&resourceVersionMatch=NotOlderThan'), false);
    assert.equal(of('watch=1&resourceVersion=7&sendInitialEvents=true&resourceVersionMatch=NotOlderThan'), true);
  });
});
