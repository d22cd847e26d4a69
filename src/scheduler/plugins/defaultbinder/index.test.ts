import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestServer, type TestServer } from '../../../apiserver/testing/fixture.js';
import { ApiClient } from '../../../client/rest.js';
import { inProcessTransport } from '../../../client/transport.js';
import { Code } from '../../framework/status.js';
import { CycleState } from '../../framework/types.js';
import { makePod } from '../helper/testing.js';
import { bindingFor, DefaultBinder, NAME } from './index.js';

type PodObject = Pod & { [field: string]: unknown };

describe('DefaultBinder', () => {
  let s: TestServer;
  let client: ApiClient;

  before(async () => {
    s = await startTestServer();
    client = new ApiClient(inProcessTransport(() => s.server.connectInProcess({ name: 'system:kube-scheduler', groups: ['system:masters'] })));
  });

  after(async () => {
    client.close();
    await s.close();
  });

  it('binds through the binding subresource and reports failures as errors', async () => {
    const pods = client.kind<PodObject>('v1', 'Pod');
    const created = await pods.create('default', makePod('web') as PodObject);
    const binder = new DefaultBinder({ client });
    assert.equal(binder.name, NAME);

    const cases: { name: string; node: string; code: Code }[] = [
      { name: 'first bind', node: 'n1', code: Code.Success },
      { name: 'already bound', node: 'n2', code: Code.Error },
    ];
    for (const c of cases) {
      const status = await binder.bind(new CycleState(), created, c.node);
      assert.equal(status.code, c.code, c.name);
    }
    const bound = await pods.get('default', 'web');
    assert.equal(bound.spec?.nodeName, 'n1');

    const missing = await binder.bind(new CycleState(), makePod('ghost'), 'n1');
    assert.equal(missing.code, Code.Error);
  });

  it('builds a Binding naming the pod and the node', () => {
    assert.deepEqual(bindingFor(makePod('web'), 'n1'), {
      apiVersion: 'v1', kind: 'Binding',
      metadata: { namespace: 'default', name: 'web', uid: 'uid-web' },
      target: { kind: 'Node', name: 'n1' },
    });
  });
});
