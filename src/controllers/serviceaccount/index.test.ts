import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { realClock } from '../../apimachinery/clock.js';
import { silentLogger } from '../../apimachinery/log.js';
import { startTestServer, eventually, type TestServer } from '../../apiserver/testing/fixture.js';
import { defaultControllerOptions, type ControllerContext } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import { createInformerFactory, type SharedInformerFactory } from '../../client/informers.js';
import { ApiClient } from '../../client/rest.js';
import { inProcessTransport } from '../../client/transport.js';
import { serviceAccountController } from './index.js';

describe('service account controller', () => {
  let s: TestServer;
  let client: ApiClient;
  let informers: SharedInformerFactory;
  const abort = new AbortController();
  let running: Promise<void>;

  before(async () => {
    s = await startTestServer();
    client = new ApiClient(inProcessTransport(() => s.server.connectInProcess({ name: 'system:kube-controller-manager', groups: ['system:masters'] })));
    informers = createInformerFactory(client, { clock: realClock });
    const ctx: ControllerContext = {
      client, informers, clock: realClock, logger: silentLogger,
      recorder: () => ({ event() {} }),
      options: { ...defaultControllerOptions },
    };
    running = serviceAccountController.run(ctx, abort.signal);
    informers.start(abort.signal);
  });

  after(async () => {
    abort.abort();
    await running;
    await informers.stopped();
    client.close();
    await s.close();
  });

  const exists = async (ns: string, name: string) => {
    try {
      await client.kind('v1', 'ServiceAccount').get(ns, name);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  };

  it('gives the namespaces present at start a default service account', async () => {
    await eventually(() => exists('default', 'default'));
  });

  it('gives a new namespace a default service account', async () => {
    await client.kind('v1', 'Namespace').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    await eventually(() => exists('team-a', 'default'));
  });

  it('brings the default service account back after it is deleted', async () => {
    await client.kind('v1', 'Namespace').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } });
    await eventually(() => exists('team-b', 'default'));
    const before = await client.kind('v1', 'ServiceAccount').get('team-b', 'default');
    await client.kind('v1', 'ServiceAccount').delete('team-b', 'default');
    await eventually(async () => {
      try {
        const now = await client.kind('v1', 'ServiceAccount').get('team-b', 'default');
        return now.metadata?.uid !== before.metadata?.uid;
      } catch (e) {
        if (isNotFound(e)) return false;
        throw e;
      }
    });
  });

  it('leaves other service accounts alone', async () => {
    await client.kind('v1', 'ServiceAccount').create('team-a', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' } });
    await client.kind('v1', 'ServiceAccount').delete('team-a', 'builder');
    await eventually(() => exists('team-a', 'default'));
    assert.equal(await exists('team-a', 'builder'), false);
  });

  it('does not create a service account in a terminating namespace', async () => {
    await client.kind('v1', 'Namespace').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-c' } });
    await eventually(() => exists('team-c', 'default'));
    // Deletion keeps the namespace (no namespace controller runs here) in phase Terminating.
    await client.kind('v1', 'Namespace').delete(undefined, 'team-c');
    await client.kind('v1', 'ServiceAccount').delete('team-c', 'default');
    // A later deletion in an active namespace is handled after the one above was looked at.
    await client.kind('v1', 'ServiceAccount').delete('team-a', 'default');
    await eventually(() => exists('team-a', 'default'));
    assert.equal(await exists('team-c', 'default'), false);
  });
});
