import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import { T0, iso } from './fixtures.js';
import { replicationControllerResource as rcType } from './replicationcontroller.js';

const makeRC = (extra: Partial<NonNullable<ReplicationController['spec']>> = {}): ReplicationController => ({
  apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'web', namespace: 'default', creationTimestamp: iso(T0) },
  spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } }, ...extra },
});
const defaulted = (rc: ReplicationController): ReplicationController => {
  rcType.setDefaults!(rc as never);
  return rc;
};

describe('replication controller', () => {
  it('defaults replicas, selector and labels from the template', () => {
    const rc = defaulted(makeRC());
    assert.equal(rc.spec!.replicas, 1);
    assert.deepEqual(rc.spec!.selector, { app: 'web' });
    assert.deepEqual(rc.metadata!.labels, { app: 'web' });
    assert.equal(rc.spec!.template!.spec!.restartPolicy, 'Always');
    assert.deepEqual(rcType.validate!(rc as never), []);
  });

  it('rejects a selector that misses the template labels and a non-Always restart policy', () => {
    const rc = makeRC({ selector: { app: 'api' } });
    defaulted(rc);
    (rc.spec!.template!.spec as { restartPolicy?: string }).restartPolicy = 'Never';
    assert.deepEqual(rcType.validate!(rc as never).map((e) => `${e.field}: ${e.message}`), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ]);
  });

  it('prints counts, containers, images and selector', () => {
    const rc = defaulted(makeRC({ replicas: 3 }));
    (rc as { status?: unknown }).status = { replicas: 2, readyReplicas: 1 };
    assert.deepEqual(rcType.row!(rc as never, T0 + 60_000), [3, 2, 1, '60s', 'app', 'nginx:1.25', 'app=web']);
    assert.equal(rcType.fields!['status.replicas']!(rc as never), '2');
  });

  it('scales through spec.replicas with autoscaling/v1 Scale', () => {
    assert.deepEqual(rcType.scale, { specReplicas: 'spec.replicas', statusReplicas: 'status.replicas', labelSelector: 'spec.selector' });
    assert.equal(rcType.tracksGeneration, true);
  });
});
