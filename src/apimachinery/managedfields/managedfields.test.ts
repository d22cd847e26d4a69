import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, pathString } from '../fieldpath/index.js';
import { testSchema } from '../fieldpath/test-schema.js';
import {
  ApplyConflictError, LAST_APPLIED_ANNOTATION, allowedByLastApplied, appliedSet, lastAppliedValue, applyOwnership, capUpdateManagers, decodeManagedFields, encodeManagedFields,
  isResetRequest, managerKey, mergeValues, pruneUnapplied, updateOwnership, type Managed,
} from './index.js';

const now = '2026-01-01T00:00:00Z';
const o = { schema: testSchema, now };

test('mergeValues merges by list type', () => {
  const cases: { name: string; live: unknown; config: unknown; want: unknown }[] = [
    { name: 'atomic list replaced', live: { spec: { args: ['a', 'b'] } }, config: { spec: { args: ['c'] } }, want: { spec: { args: ['c'] } } },
    { name: 'set merged', live: { spec: { tags: ['a', 'b'] } }, config: { spec: { tags: ['c', 'a'] } }, want: { spec: { tags: ['c', 'a', 'b'] } } },
    {
      name: 'map list merged by key, nested fields kept',
      live: { spec: { items: [{ name: 'x', image: '1', port: 80 }, { name: 'y', image: '2' }] } },
      config: { spec: { items: [{ name: 'x', image: '3' }, { name: 'z', image: '4' }] } },
      want: { spec: { items: [{ name: 'x', image: '3', port: 80 }, { name: 'y', image: '2' }, { name: 'z', image: '4' }] } },
    },
    { name: 'granular map merged', live: { metadata: { labels: { a: '1', b: '2' } } }, config: { metadata: { labels: { b: '3' } } }, want: { metadata: { labels: { a: '1', b: '3' } } } },
    { name: 'null removes', live: { spec: { replicas: 2, args: ['a'] } }, config: { spec: { replicas: null } }, want: { spec: { args: ['a'] } } },
    { name: 'missing live', live: undefined, config: { spec: { items: [{ name: 'x' }] } }, want: { spec: { items: [{ name: 'x' }] } } },
  ];
  for (const c of cases) assert.deepEqual(mergeValues(c.live, c.config, testSchema), c.want, c.name);
});

function applied(managed: Managed, live: unknown, config: unknown, manager: string, force = false) {
  const writer = { manager, apiVersion: 'v1' };
  const set = appliedSet(config, o);
  const merged = pruneUnapplied(mergeValues(live, config, testSchema), managed, writer, set, testSchema);
  const next = applyOwnership(managed, live, merged, set, writer, force, { ...o, changedObject: true });
  return { merged, managed: next };
}

function owners(managed: Managed): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of managed.values()) out[`${m.manager}/${m.operation}`] = m.set.paths().map(pathString);
  return out;
}

test('an applier owns what it applied and fields it stops applying are removed', () => {
  const c1 = { spec: { replicas: 1, tags: ['a', 'b'] } };
  const r1 = applied(new Map(), {}, c1, 'alice');
  assert.deepEqual(owners(r1.managed), { 'alice/Apply': ['.spec.replicas', '.spec.tags[="a"]', '.spec.tags[="b"]'] });
  const r2 = applied(r1.managed, r1.merged, { spec: { tags: ['a'] } }, 'alice');
  assert.deepEqual(r2.merged, { spec: { tags: ['a'] } });
});

test('fields another manager also applies are kept when one stops applying them', () => {
  const r1 = applied(new Map(), {}, { spec: { replicas: 1 } }, 'alice');
  const r2 = applied(r1.managed, r1.merged, { spec: { replicas: 1 } }, 'bob');
  assert.deepEqual(owners(r2.managed), { 'alice/Apply': ['.spec.replicas'], 'bob/Apply': ['.spec.replicas'] });
  const r3 = applied(r2.managed, r2.merged, { spec: {} }, 'alice');
  assert.deepEqual(r3.merged, { spec: { replicas: 1 } });
  assert.deepEqual(owners(r3.managed), { 'alice/Apply': ['.spec'], 'bob/Apply': ['.spec.replicas'] });
});

test('changing a field another manager owns conflicts, and force takes it over', () => {
  const r1 = applied(new Map(), {}, { spec: { replicas: 1 } }, 'alice');
  assert.throws(() => applied(r1.managed, r1.merged, { spec: { replicas: 2 } }, 'bob'), (e: unknown) => {
    assert.ok(e instanceof ApplyConflictError);
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
    assert.deepEqual(e.causes(), [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }]);
    return true;
  });
  const r2 = applied(r1.managed, r1.merged, { spec: { replicas: 2 } }, 'bob', true);
  assert.deepEqual(r2.merged, { spec: { replicas: 2 } });
  assert.deepEqual(owners(r2.managed), { 'bob/Apply': ['.spec.replicas'] });
});

test('conflicts with updaters name their API version, several are listed by manager', () => {
  const managed = updateOwnership(new Map(), {}, { spec: { replicas: 1, args: ['a'] } }, { manager: 'kubectl-client-side-apply', apiVersion: 'v1' }, o);
  try {
    applied(managed, { spec: { replicas: 1, args: ['a'] } }, { spec: { replicas: 2, args: ['b'] } }, 'kubectl');
    assert.fail('expected a conflict');
  } catch (e) {
    assert.ok(e instanceof ApplyConflictError);
    assert.equal(e.message, 'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using v1:\n- .spec.args\n- .spec.replicas');
  }
});

test('an update takes the fields it changed from everyone and keeps the rest', () => {
  const r1 = applied(new Map(), {}, { spec: { replicas: 1, args: ['a'] } }, 'alice');
  const live = r1.merged;
  const next = { spec: { replicas: 3, args: ['a'] } };
  const m = updateOwnership(r1.managed, live, next, { manager: 'hpa', apiVersion: 'v1' }, o);
  assert.deepEqual(owners(m), { 'alice/Apply': ['.spec.args'], 'hpa/Update': ['.spec.replicas'] });
  const m2 = updateOwnership(m, next, { spec: { replicas: 3, args: ['b'] } }, { manager: 'hpa', apiVersion: 'v1' }, o);
  assert.deepEqual(owners(m2), { 'hpa/Update': ['.spec.args', '.spec.replicas'] });
  const m3 = updateOwnership(m2, next, next, { manager: 'other', apiVersion: 'v1' }, o);
  assert.deepEqual(owners(m3), owners(m2), 'an update that changes nothing owns nothing');
});

test('managedFields entries round-trip, sort Apply first and merge duplicates', () => {
  const entries = [
    { manager: 'b', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:01Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:x': {} } } },
    { manager: 'a', operation: 'Apply', apiVersion: 'v1', time: '2026-01-01T00:00:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:y': {} } } },
    { manager: 'a', operation: 'Apply', apiVersion: 'v1', time: '2026-01-01T00:00:02Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:z': {} } } },
  ];
  const managed = decodeManagedFields(entries);
  assert.equal(managed.size, 2);
  const out = encodeManagedFields(managed);
  assert.deepEqual(out.map((e) => e.manager), ['a', 'b']);
  assert.deepEqual(out[0].fieldsV1, { 'f:data': { 'f:y': {}, 'f:z': {} } });
  assert.throws(() => decodeManagedFields([{ manager: 'x', operation: 'Bogus', fieldsType: 'FieldsV1' }]));
  assert.ok(isResetRequest([{}]));
  assert.ok(!isResetRequest([]));
});

test('more than ten updaters fold the oldest into ancient-changes', () => {
  const managed: Managed = new Map();
  for (let i = 0; i < 12; i++) {
    const m = { manager: `m${i}`, operation: 'Update' as const, apiVersion: 'v1', time: `2026-01-01T00:00:${String(10 + i)}Z`, set: FieldSet.fromPaths([['f:data', `f:k${i}`]]) };
    managed.set(managerKey(m), m);
  }
  const capped = capUpdateManagers(managed);
  assert.equal(capped.size, 10);
  const ancient = [...capped.values()].find((m) => m.manager === 'ancient-changes');
  assert.deepEqual(ancient?.set.paths().map(pathString), ['.data.k0', '.data.k1', '.data.k2']);
});

test('a keyed item the applier dropped stays while another manager owns a field in it', () => {
  const r1 = applied(new Map(), {}, { spec: { items: [{ name: 'a', image: '1' }, { name: 'b', image: '2' }] } }, 'alice');
  const live = { spec: { items: [{ name: 'a', image: '1', port: 80 }, { name: 'b', image: '2' }] } };
  const m = updateOwnership(r1.managed, r1.merged, live, { manager: 'ctl', apiVersion: 'v1' }, o);
  const r2 = applied(m, live, { spec: { items: [] } }, 'alice');
  assert.deepEqual(r2.merged, { spec: { items: [{ name: 'a', port: 80 }] } });
});

test('the last-applied annotation allows taking fields whose live values it still holds', () => {
  const last = { spec: { replicas: 1, args: ['a'] } };
  const live = { metadata: { annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify(last) } }, spec: { replicas: 1, args: ['changed'] } };
  assert.deepEqual(allowedByLastApplied(live, testSchema)?.paths().map(pathString), ['.spec.replicas']);
  assert.equal(allowedByLastApplied({ spec: {} }, testSchema), undefined);
  assert.equal(lastAppliedValue({ metadata: { annotations: { [LAST_APPLIED_ANNOTATION]: 'x' }, name: 'n' }, kind: 'K' }), '{"kind":"K","metadata":{"annotations":{},"name":"n"}}');
});
