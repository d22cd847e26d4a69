import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conditionsFor, mergeConditions } from './conditions.js';

const empty = () => ({ remaining: new Map<string, number>(), finalizers: new Map<string, number>(), failures: [] as string[], estimateSeconds: 0 });

describe('namespace deletion conditions', () => {
  it('say all content is gone when nothing remains', () => {
    const byType = Object.fromEntries(conditionsFor(empty()).map((c) => [c.type, c]));
    assert.equal(byType.NamespaceContentRemaining!.status, 'False');
    assert.equal(byType.NamespaceContentRemaining!.reason, 'ContentRemoved');
    assert.equal(byType.NamespaceDeletionContentFailure!.reason, 'ContentDeleted');
    assert.equal(byType.NamespaceFinalizersRemaining!.reason, 'ContentHasNoFinalizers');
  });

  it('name the remaining resources, the finalizers holding them and the failures', () => {
    const r = empty();
    r.remaining.set('pods.', 2).set('configmaps.', 1);
    r.finalizers.set('example.com/hold', 1);
    r.failures.push('secrets.: boom');
    const byType = Object.fromEntries(conditionsFor(r).map((c) => [c.type, c]));
    assert.equal(byType.NamespaceContentRemaining!.message, 'Some resources are remaining: configmaps. has 1 resource instances, pods. has 2 resource instances');
    assert.equal(byType.NamespaceFinalizersRemaining!.message, 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
    assert.equal(byType.NamespaceDeletionContentFailure!.status, 'True');
    assert.match(byType.NamespaceDeletionContentFailure!.message!, /secrets\.: boom/);
  });

  it('keep transition times while a status holds, and report no change when nothing changed', () => {
    const first = mergeConditions([], conditionsFor(empty()), 't1')!;
    assert.ok(first.every((c) => c.lastTransitionTime === 't1'));
    assert.equal(mergeConditions(first, conditionsFor(empty()), 't2'), undefined);
    const r = empty();
    r.remaining.set('pods.', 1);
    const next = mergeConditions(first, conditionsFor(r), 't3')!;
    assert.equal(next.find((c) => c.type === 'NamespaceContentRemaining')!.lastTransitionTime, 't3');
    assert.equal(next.find((c) => c.type === 'NamespaceFinalizersRemaining')!.lastTransitionTime, 't1');
  });
});
