import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import { daemonsets, setDaemonSetDefaults, validateDaemonSet } from './daemonset.js';
import { kube, makeDaemonSet, T0 } from './fixtures.js';

const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const defaulted = (d: DaemonSet): DaemonSet => {
  setDaemonSetDefaults(d);
  return d;
};

describe('DaemonSet', () => {
  it('defaults RollingUpdate with maxUnavailable 1 and maxSurge 0', () => {
    const d = defaulted(makeDaemonSet('agent').build());
    assert.deepEqual(d.spec!.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(d.spec!.revisionHistoryLimit, 10);
    assert.deepEqual(validateDaemonSet(d), []);
  });

  const cases: { name: string; in: DaemonSet; want: string[] }[] = [
    {
      name: 'both maxSurge and maxUnavailable',
      in: makeDaemonSet('agent').set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } }).build(),
      want: ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero'],
    },
    {
      name: 'neither maxSurge nor maxUnavailable',
      in: makeDaemonSet('agent').set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }).build(),
      want: ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0'],
    },
    {
      name: 'a missing selector',
      in: makeDaemonSet('agent').selector(undefined).build(),
      want: ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"agent"}: `selector` does not match template `labels`'],
    },
  ];
  for (const c of cases) it(`rejects ${c.name}`, () => assert.deepEqual(messages(validateDaemonSet(defaulted(c.in))), c.want));

  it('prints DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE', () => {
    const d = makeDaemonSet('agent').status({
      desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2,
    }).build();
    d.spec!.template.spec!.nodeSelector = { 'kubernetes.io/os': 'linux', disk: 'ssd' };
    assert.deepEqual(daemonsets.row!(kube(d), T0 + 3_000),
      [3, 3, 2, 3, 2, 'disk=ssd,kubernetes.io/os=linux', '3s', 'web', 'nginx:1.25', 'app=agent']);
    assert.equal(daemonsets.row!(kube(makeDaemonSet('x').build()), T0)[5], '<none>');
  });
});
