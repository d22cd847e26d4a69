import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../apimachinery/object.js';
import { chargedUsage, formatUsage, missingContainerAmounts, objectUsage, podResourceList, quotaUsed, resourceCounting } from './usage.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const PODS = { group: '', plural: 'pods' };
const c = (name: string, requests?: Record<string, string>, limits?: Record<string, string>, extra: any = {}) =>
  ({ name, resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) }, ...extra });
const pod = (spec: any, status: any = {}, meta: any = {}): KubeObject => ({ metadata: { name: 'p', ...meta }, spec, status } as KubeObject);

describe('quota usage', () => {
  it('charges a pod its containers, or its largest init container with the sidecars before it, plus overhead', () => {
    const p = pod({
      containers: [c('a', { cpu: '100m' }), c('b', { cpu: '200m' })],
      initContainers: [c('side', { cpu: '50m' }, undefined, { restartPolicy: 'Always' }), c('init', { cpu: '500m', memory: '1Gi' })],
      overhead: { cpu: '10m' },
    });
    // running: 100m + 200m + 50m sidecar = 350m; init peak: 500m + 50m = 550m; + 10m overhead.
    assert.equal(formatUsage(podResourceList(p as any, 'requests')), 'cpu=560m,memory=1Gi');
  });

  it('names a pod charge under every quota name', () => {
    const p = pod({ containers: [c('a', { cpu: '1', memory: '1Gi', 'example.com/gpu': '2' }, { cpu: '2', memory: '1Gi' })] });
    assert.equal(formatUsage(objectUsage(PODS, p, 0)),
      'count/pods=1,cpu=1,limits.cpu=2,limits.memory=1Gi,memory=1Gi,pods=1,requests.cpu=1,requests.example.com/gpu=2,requests.memory=1Gi');
  });

  it('stops charging compute once a pod finished or passed its deletion grace', () => {
    const spec = { containers: [c('a', { cpu: '1' })] };
    assert.equal(formatUsage(objectUsage(PODS, pod(spec, { phase: 'Failed' }), 0)), 'count/pods=1');
    const deleting = pod(spec, {}, { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 });
    const t = Date.parse('2026-01-01T00:00:00Z');
    assert.match(formatUsage(objectUsage(PODS, deleting, t + 10_000)), /pods=1/);
    assert.equal(formatUsage(objectUsage(PODS, deleting, t + 31_000)), 'count/pods=1');
  });

  it('maps quota names to the resource they count', () => {
    assert.deepEqual(resourceCounting('requests.cpu'), PODS);
    assert.deepEqual(resourceCounting('requests.storage'), { group: '', plural: 'persistentvolumeclaims' });
    assert.deepEqual(resourceCounting('gold.storageclass.storage.k8s.io/requests.storage'), { group: '', plural: 'persistentvolumeclaims' });
    assert.deepEqual(resourceCounting('count/deployments.apps'), { group: 'apps', plural: 'deployments' });
    assert.deepEqual(resourceCounting('services.nodeports'), { group: '', plural: 'services' });
    assert.equal(resourceCounting('nonsense'), undefined);
  });

  it('charges only within scopes and only the names the quota holds', () => {
    const be = pod({ containers: [c('a')] });
    const sized = pod({ containers: [c('a', { cpu: '1' })], activeDeadlineSeconds: 10 });
    const q = { hard: { pods: '5', 'requests.cpu': '4' }, scopes: ['NotBestEffort', 'Terminating'] };
    assert.equal(formatUsage(chargedUsage(q, PODS, be, 0)), '');
    assert.equal(formatUsage(chargedUsage(q, PODS, sized, 0)), 'pods=1,requests.cpu=1');
    assert.equal(formatUsage(chargedUsage(q, { group: '', plural: 'configmaps' }, { metadata: {} }, 0)), '');
    const pc = { hard: { pods: '5' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } };
    assert.equal(formatUsage(chargedUsage(pc, PODS, pod({ containers: [], priorityClassName: 'high' }), 0)), 'pods=1');
    assert.equal(formatUsage(chargedUsage(pc, PODS, be, 0)), '');
  });

  it('reports zero for hard names nothing charges', () => {
    const used = quotaUsed({ hard: { pods: '1', secrets: '3' } }, [{ gr: PODS, items: [pod({ containers: [] })] }], 0);
    assert.equal(formatUsage(used), 'pods=1,secrets=0');
  });

  it('lists containers missing an amount a quota constrains', () => {
    const p = pod({ containers: [c('b'), c('a', { cpu: '1' })] });
    assert.equal(missingContainerAmounts(p, ['requests.cpu', 'limits.cpu', 'pods']), 'must specify limits.cpu for: a,b; requests.cpu for: b');
    assert.equal(missingContainerAmounts(p, ['pods', 'requests.storage']), undefined);
  });
});
