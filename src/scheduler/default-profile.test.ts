import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../apimachinery/object.js';
import { eventually } from '../apiserver/testing/fixture.js';
import { startControllerHarness, type ControllerHarness } from '../../test/support/controller-harness.js';
import { schedulerController } from './scheduler.js';

function node(name: string, cpu: string, taints?: Taint[]): Node & KubeObject {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: taints ? { taints } : {},
    status: { allocatable: { cpu, memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
  } as Node & KubeObject;
}

function pod(name: string, cpu: string): Pod & KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { containers: [{ name: 'c', image: 'pause', resources: { requests: { cpu } } }] },
  } as Pod & KubeObject;
}

describe('scheduler with the default profile', () => {
  let h: ControllerHarness;
  const pods = () => h.client.kind<Pod & KubeObject>('v1', 'Pod');
  before(async () => {
    h = await startControllerHarness({ controllers: [schedulerController()], namespaces: ['dp'] });
    await h.client.kind('v1', 'Node').create(undefined, node('tainted', '8', [{ key: 'key', value: 'value', effect: 'NoSchedule' }]));
    await h.client.kind('v1', 'Node').create(undefined, node('small', '1'));
    await h.client.kind('v1', 'Node').create(undefined, node('big', '2'));
  });
  after(async () => { await h.close(); });

  it('places a pod where it fits', async () => {
    await pods().create('dp', pod('fits', '1500m'));
    await eventually(async () => (await pods().get('dp', 'fits')).spec?.nodeName === 'big', 10_000);
  });

  it('explains a pod that fits nowhere', async () => {
    await pods().create('dp', pod('toobig', '3'));
    await eventually(() => h.events.some((e) => e.name === 'toobig' && e.reason === 'FailedScheduling'), 10_000);
    const ev = h.events.find((e) => e.name === 'toobig' && e.reason === 'FailedScheduling')!;
    assert.match(ev.message, /^0\/3 nodes are available: 1 node\(s\) had untolerated taint \{key: value\}, 2 Insufficient cpu\./);
  });
});
