import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { controllerrevisions } from './controllerrevision.js';
import { replicasets, setReplicaSetDefaults, validateReplicaSet } from './replicaset.js';
import { kube, makeReplicaSet, T0 } from './fixtures.js';

describe('ReplicaSet', () => {
  it('defaults replicas to 1 and validates', () => {
    const rs = makeReplicaSet('web-abc').build();
    setReplicaSetDefaults(rs);
    assert.equal(rs.spec!.replicas, 1);
    assert.deepEqual(validateReplicaSet(rs), []);
  });

  it('forbids changing the selector', () => {
    const old = makeReplicaSet('web-abc').build();
    setReplicaSetDefaults(old);
    const upd = structuredClone(old);
    upd.spec!.selector = { matchLabels: { app: 'web-abc', extra: 'x' } };
    upd.spec!.template!.metadata = { labels: { app: 'web-abc', extra: 'x' } };
    assert.deepEqual(replicasets.validateUpdate!(kube(upd), kube(old)).map((e) => e.field), ['spec.selector']);
  });

  it('prints DESIRED CURRENT READY AGE and selects by status.replicas', () => {
    const rs = makeReplicaSet('web-abc').replicas(3).status({ replicas: 3, readyReplicas: 1 }).build();
    assert.deepEqual(replicasets.row!(kube(rs), T0 + 86_400_000 * 3), [3, 3, 1, '3d', 'web', 'nginx:1.25', 'app=web-abc']);
    assert.equal(replicasets.fields!['status.replicas']!(kube(rs)), '3');
  });
});

describe('ControllerRevision', () => {
  const rev: ControllerRevision = {
    metadata: {
      name: 'db-5d8f', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u', controller: true }],
    },
    data: { spec: {} }, revision: 2,
  };

  it('prints CONTROLLER REVISION AGE', () => {
    assert.deepEqual(controllerrevisions.row!(kube(rev), T0 + 5_000), ['statefulset.apps/db', 2, '5s']);
  });

  it('keeps data immutable and requires it', () => {
    const upd = structuredClone(rev);
    upd.data = { spec: { x: 1 } };
    assert.deepEqual(controllerrevisions.validateUpdate!(kube(upd), kube(rev)).map((e) => e.field), ['data']);
    assert.deepEqual(controllerrevisions.validate!(kube({ ...rev, data: undefined })).map((e) => e.message), ['Required value: data is mandatory']);
  });
});
