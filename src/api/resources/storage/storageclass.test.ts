import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { storageclasses } from './storageclass.js';

const k = (o: StorageClass) => o as unknown as KubeObject;
const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const sc = (extra: Partial<StorageClass> = {}, annotations?: Record<string, string>): StorageClass => ({
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
  metadata: { name: 'fast', creationTimestamp: '2024-01-01T00:00:00Z', ...(annotations ? { annotations } : {}) },
  provisioner: 'kite.io/local', ...extra,
});
const defaulted = (o: StorageClass): StorageClass => {
  storageclasses.setDefaults!(k(o));
  return o;
};

describe('StorageClass', () => {
  it('defaults reclaimPolicy to Delete and volumeBindingMode to Immediate', () => {
    const o = defaulted(sc());
    assert.deepEqual([o.reclaimPolicy, o.volumeBindingMode], ['Delete', 'Immediate']);
    const kept = defaulted(sc({ reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' }));
    assert.deepEqual([kept.reclaimPolicy, kept.volumeBindingMode], ['Retain', 'WaitForFirstConsumer']);
  });

  const cases: { name: string; obj: StorageClass; want: string[] }[] = [
    { name: 'a plain class', obj: sc({ parameters: { type: 'ssd' }, allowVolumeExpansion: true }), want: [] },
    { name: 'a missing provisioner', obj: sc({ provisioner: '' }), want: ['provisioner: Required value'] },
    {
      name: 'a provisioner that is not a qualified name', obj: sc({ provisioner: 'a b' }),
      want: ["provisioner: Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
    },
    {
      name: 'an unknown reclaim policy', obj: sc({ reclaimPolicy: 'Recycle' }),
      want: ['reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"'],
    },
    {
      name: 'an unknown binding mode', obj: sc({ volumeBindingMode: 'Later' }),
      want: ['volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"'],
    },
    {
      name: 'topologies with empty values, repeated keys and repeated terms',
      obj: sc({
        allowedTopologies: [
          { matchLabelExpressions: [{ key: 'zone', values: ['a', 'a'] }, { key: 'zone', values: [] }] },
          { matchLabelExpressions: [{ key: 'rack', values: ['r1'] }] },
          { matchLabelExpressions: [{ key: 'rack', values: ['r1'] }] },
        ],
      }),
      want: [
        'allowedTopologies[0].matchLabelExpressions[0].values[1]: Duplicate value: "a"',
        'allowedTopologies[0].matchLabelExpressions[1].values: Required value',
        'allowedTopologies[0].matchLabelExpressions[1].key: Duplicate value: "zone"',
        'allowedTopologies[2].matchLabelExpressions: Duplicate value: ""',
      ],
    },
  ];
  for (const c of cases) it(`validates ${c.name}`, () => assert.deepEqual(messages(storageclasses.validate!(k(defaulted(c.obj)))), c.want));

  it('keeps provisioner, parameters, reclaimPolicy and volumeBindingMode fixed', () => {
    const old = defaulted(sc({ parameters: { type: 'ssd' } }));
    const next = defaulted(sc({
      provisioner: 'kite.io/other', parameters: { type: 'hdd' }, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer',
    }));
    assert.deepEqual(messages(storageclasses.validateUpdate!(k(next), k(old))), [
      'parameters: Forbidden: updates to parameters are forbidden.',
      'provisioner: Forbidden: updates to provisioner are forbidden.',
      'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
      'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
    ]);
    const expand = defaulted(sc({ parameters: { type: 'ssd' }, allowVolumeExpansion: true }));
    assert.deepEqual(storageclasses.validateUpdate!(k(expand), k(old)), []);
  });

  const rows: { name: string; obj: StorageClass; want: unknown[] }[] = [
    { name: 'a plain class', obj: defaulted(sc()), want: ['fast', 'kite.io/local', 'Delete', 'Immediate', false, '2d'] },
    {
      name: 'the default class', obj: sc({ reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true },
        { 'storageclass.kubernetes.io/is-default-class': 'true' }),
      want: ['fast (default)', 'kite.io/local', 'Retain', 'WaitForFirstConsumer', true, '2d'],
    },
    { name: 'a class annotated false', obj: sc({}, { 'storageclass.kubernetes.io/is-default-class': 'false' }), want: ['fast', 'kite.io/local', 'Delete', 'Immediate', false, '2d'] },
  ];
  for (const r of rows) {
    it(`prints ${r.name}`, () => assert.deepEqual(storageclasses.row!(k(r.obj), Date.parse('2024-01-03T00:00:00Z')), r.want));
  }

  it('is cluster-scoped with the sc short name and its own Name column', () => {
    assert.deepEqual([storageclasses.namespaced, storageclasses.shortNames], [false, ['sc']]);
    assert.deepEqual(storageclasses.columns!.map((c) => c.name),
      ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age']);
  });
});
