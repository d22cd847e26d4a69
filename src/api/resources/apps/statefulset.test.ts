import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import { setStatefulSetDefaults, statefulsets, validateStatefulSet, validateStatefulSetUpdate } from './statefulset.js';
import { kube, makeStatefulSet, T0 } from './fixtures.js';

const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const defaulted = (s: StatefulSet): StatefulSet => {
  setStatefulSetDefaults(s);
  return s;
};

describe('StatefulSet defaults', () => {
  it('sets policy, RollingUpdate with partition 0, retention, replicas and history', () => {
    const s = defaulted(makeStatefulSet('db').build());
    const { podManagementPolicy, updateStrategy, persistentVolumeClaimRetentionPolicy, replicas, revisionHistoryLimit } = s.spec!;
    assert.deepEqual({ podManagementPolicy, updateStrategy, persistentVolumeClaimRetentionPolicy, replicas, revisionHistoryLimit }, {
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      replicas: 1, revisionHistoryLimit: 10,
    });
  });

  it('leaves OnDelete without rollingUpdate', () => {
    const s = defaulted(makeStatefulSet('db').set({ updateStrategy: { type: 'OnDelete' } }).build());
    assert.deepEqual(s.spec!.updateStrategy, { type: 'OnDelete' });
  });

  it('defaults claim templates like claims', () => {
    const s = defaulted(makeStatefulSet('db').set({
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }],
    }).build());
    const claim = s.spec!.volumeClaimTemplates![0]!;
    assert.deepEqual([claim.spec!.volumeMode, (claim as { status?: { phase?: string } }).status?.phase], ['Filesystem', 'Pending']);
  });
});

describe('StatefulSet validation', () => {
  it('accepts mounts of claim templates', () => {
    const s = makeStatefulSet('db').set({
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }],
    }).build();
    s.spec!.template.spec!.containers[0]!.volumeMounts = [{ name: 'data', mountPath: '/var/lib/db' }];
    assert.deepEqual(validateStatefulSet(defaulted(s)), []);
  });

  const cases: { name: string; in: StatefulSet; want: string[] }[] = [
    {
      name: 'a selector that does not match',
      in: makeStatefulSet('db').templateLabels({ app: 'other' }).build(),
      want: ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`'],
    },
    {
      name: 'a name that is not a DNS label',
      in: makeStatefulSet('db.v1').build(),
      want: ['metadata.name: Invalid value: "db.v1": must not contain dots'],
    },
    {
      name: 'an unknown pod management policy',
      in: makeStatefulSet('db').set({ podManagementPolicy: 'Random' }).build(),
      want: ['spec.podManagementPolicy: Invalid value: "Random": must be \'OrderedReady\' or \'Parallel\''],
    },
  ];
  for (const c of cases) it(`rejects ${c.name}`, () => assert.deepEqual(messages(validateStatefulSet(defaulted(c.in))), c.want));

  it('allows replicas, template and strategy updates but nothing else', () => {
    const old = defaulted(makeStatefulSet('db').build());
    const scaled = structuredClone(old);
    scaled.spec!.replicas = 3;
    scaled.spec!.template.spec!.containers[0]!.image = 'nginx:1.27';
    assert.deepEqual(validateStatefulSetUpdate(scaled, old), []);
    const renamed = structuredClone(old);
    renamed.spec!.serviceName = 'other';
    assert.deepEqual(messages(validateStatefulSetUpdate(renamed, old)), [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });
});

describe('StatefulSet printing', () => {
  it('shows READY as ready/desired and the wide containers', () => {
    const s = makeStatefulSet('db').replicas(3).status({ readyReplicas: 1, replicas: 2 }).build();
    assert.deepEqual(statefulsets.row!(kube(s), T0 + 61_000), ['1/3', '61s', 'web', 'nginx:1.25']);
    assert.equal(statefulsets.columns!.length, 4);
  });
});
