import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { priorityclasses } from './priorityclass.js';

const k = (o: PriorityClass) => o as unknown as KubeObject;
const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const pc = (name: string, value: number, extra: Partial<PriorityClass> = {}): PriorityClass =>
  ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name, creationTimestamp: '2024-01-01T00:00:00Z' }, value, ...extra });

describe('PriorityClass', () => {
  it('defaults preemptionPolicy to PreemptLowerPriority', () => {
    const p = pc('high', 1000);
    priorityclasses.setDefaults!(k(p));
    assert.equal(p.preemptionPolicy, 'PreemptLowerPriority');
  });

  const cases: { name: string; obj: PriorityClass; want: string[] }[] = [
    { name: 'a user class at the limit', obj: pc('high', 1_000_000_000), want: [] },
    { name: 'a known system class', obj: pc('system-node-critical', 2_000_001_000), want: [] },
    {
      name: 'a user class above the limit', obj: pc('high', 1_000_000_001),
      want: ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000'],
    },
    {
      name: 'an unknown system- class', obj: pc('system-mine', 5),
      want: ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"],
    },
    {
      name: 'an unknown preemption policy', obj: pc('high', 5, { preemptionPolicy: 'Sometimes' }),
      want: ['preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"'],
    },
  ];
  for (const c of cases) it(`validates ${c.name}`, () => assert.deepEqual(messages(priorityclasses.validate!(k(c.obj))), c.want));

  it('keeps value and preemptionPolicy fixed', () => {
    const old = pc('high', 5, { preemptionPolicy: 'Never' });
    assert.deepEqual(messages(priorityclasses.validateUpdate!(k(pc('high', 6, { preemptionPolicy: 'Never' })), k(old))),
      ['value: Forbidden: may not be changed in an update.']);
    assert.deepEqual(priorityclasses.validateUpdate!(k(pc('high', 5, { preemptionPolicy: 'Never', globalDefault: true })), k(old)), []);
  });

  it('prints VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY', () => {
    const p = pc('high', 1000, { globalDefault: true, preemptionPolicy: 'Never' });
    assert.deepEqual(priorityclasses.row!(k(p), Date.parse('2024-01-03T00:00:00Z')), [1000, true, '2d', 'Never']);
    assert.deepEqual([priorityclasses.namespaced, priorityclasses.shortNames], [false, ['pc']]);
  });
});
