import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../../apiserver/testing/fixture.js';
import { isNotFound } from '../../client/errors.js';
import type { ApiClient } from '../../client/rest.js';
import { serviceAccountController } from './index.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';

describe('service account controller', () => {
  let h: ControllerHarness;
  let client: ApiClient;

  before(async () => {
    h = await startControllerHarness({ controllers: [serviceAccountController] });
    client = h.client;
  });

  after(() => h.close());

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
    await h.namespace('team-a');
    await eventually(() => exists('team-a', 'default'));
  });

  it('brings the default service account back after it is deleted', async () => {
    await h.namespace('team-b');
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
    await h.namespace('team-c');
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
