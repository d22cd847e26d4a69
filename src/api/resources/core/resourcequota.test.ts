import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LimitRange, ResourceQuota } from 'kubernetes-types/core/v1.js';
import { limitRangeResource } from './limitrange.js';
import { quotaCells, resourceQuotaResource } from './resourcequota.js';

describe('resource quota', () => {
  it('splits used/hard pairs into REQUEST and LIMIT cells', () => {
    const rq: ResourceQuota = {
      metadata: { name: 'q' },
      spec: { hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '4Gi', cpu: '1' } },
      status: { hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '4Gi', cpu: '1' }, used: { pods: '3', 'limits.memory': '512Mi' } },
    };
    assert.deepEqual(quotaCells(rq), ['cpu: 0/1, pods: 3/10, requests.cpu: 0/2', 'limits.memory: 512Mi/4Gi']);
  });

  it('rejects negative hard limits', () => {
    const rq: ResourceQuota = { metadata: { name: 'q' }, spec: { hard: { cpu: '-1' } } };
    assert.deepEqual(resourceQuotaResource.validate!(rq as never).map((e) => `${e.field}: ${e.message}`), [
      'spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0',
    ]);
  });
});

describe('limit range', () => {
  it('derives container defaults from max and min', () => {
    const lr: LimitRange = { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] } };
    limitRangeResource.setDefaults!(lr as never);
    const item = lr.spec!.limits[0]!;
    assert.deepEqual(item.default, { cpu: '2' });
    assert.deepEqual(item.defaultRequest, { cpu: '2', memory: '64Mi' });
    assert.deepEqual(limitRangeResource.validate!(lr as never), []);
  });

  it('rejects min above max', () => {
    const lr: LimitRange = { metadata: { name: 'l' }, spec: { limits: [{ type: 'Pod', max: { cpu: '1' }, min: { cpu: '2' } }] } };
    assert.deepEqual(limitRangeResource.validate!(lr as never).map((e) => e.message), [
      'Invalid value: "2": min value 2 is greater than max value 1',
    ]);
  });
});
