import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nodeShouldRunDaemonPod, targetNodeName } from './placement.js';
import { scaledValue, updateBudget } from './plan.js';
import type { DaemonSet, Node } from './types.js';

function ds(spec: Record<string, unknown> = {}): DaemonSet {
  return {
    metadata: { name: 'd', namespace: 'default' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }], ...spec } } },
  } as DaemonSet;
}

function node(name: string, labels: Record<string, string> = {}, taints: Record<string, string>[] = []): Node {
  return { metadata: { name, labels }, spec: { taints } } as unknown as Node;
}

describe('daemon pod placement', () => {
  it('runs on untainted nodes and not where a NoSchedule taint is untolerated', () => {
    assert.deepEqual(nodeShouldRunDaemonPod(node('a'), ds()), { shouldRun: true, shouldContinueRunning: true });
    assert.deepEqual(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'x', effect: 'NoSchedule' }]), ds()), { shouldRun: false, shouldContinueRunning: true });
    assert.deepEqual(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'x', effect: 'NoExecute' }]), ds()), { shouldRun: false, shouldContinueRunning: false });
    const tolerant = ds({ tolerations: [{ key: 'x', operator: 'Exists' }] });
    assert.equal(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'x', effect: 'NoExecute' }]), tolerant).shouldRun, true);
  });

  it('tolerates the node-condition taints Kubernetes adds to daemon pods', () => {
    for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
      assert.equal(nodeShouldRunDaemonPod(node('a', {}, [{ key, effect: 'NoExecute' }]), ds()).shouldRun, true);
    }
    for (const key of ['node.kubernetes.io/unschedulable', 'node.kubernetes.io/disk-pressure', 'node.kubernetes.io/memory-pressure']) {
      assert.equal(nodeShouldRunDaemonPod(node('a', {}, [{ key, effect: 'NoSchedule' }]), ds()).shouldRun, true);
    }
    const netTaint = [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }];
    assert.equal(nodeShouldRunDaemonPod(node('a', {}, netTaint), ds()).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(node('a', {}, netTaint), ds({ hostNetwork: true })).shouldRun, true);
  });

  it('applies node selectors, required node affinity and the template node name', () => {
    assert.equal(nodeShouldRunDaemonPod(node('a', { disk: 'ssd' }), ds({ nodeSelector: { disk: 'ssd' } })).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node('a'), ds({ nodeSelector: { disk: 'ssd' } })).shouldRun, false);
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] },
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['special'] }] },
    ] } } };
    assert.equal(nodeShouldRunDaemonPod(node('a', { zone: 'z1' }), ds({ affinity })).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node('special'), ds({ affinity })).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node('b', { zone: 'z2' }), ds({ affinity })).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(node('b'), ds({ nodeName: 'a' })).shouldRun, false);
  });

  it('finds the target node from nodeName or the metadata.name affinity', () => {
    assert.equal(targetNodeName({ spec: { nodeName: 'n', containers: [] } }), 'n');
    assert.equal(targetNodeName({ spec: { containers: [], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['m'] }] }] } } } } }), 'm');
  });

  it('scales maxUnavailable and maxSurge against the desired node count, rounding up', () => {
    assert.equal(scaledValue('25%', 10, true), 3);
    assert.equal(scaledValue(2, 10, true), 2);
    const d = ds();
    d.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } };
    assert.deepEqual(updateBudget(d, [node('a')]), { maxSurge: 0, maxUnavailable: 1 });
  });
});
