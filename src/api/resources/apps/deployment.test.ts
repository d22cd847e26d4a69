import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { deployments, setDeploymentDefaults, validateDeployment } from './deployment.js';
import { kube, makeDeployment, T0 } from './fixtures.js';

const defaulted = (d: Deployment): Deployment => {
  setDeploymentDefaults(d);
  return d;
};
const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);

describe('Deployment defaults', () => {
  const cases: { name: string; in: Deployment; path: (d: Deployment) => unknown; want: unknown }[] = [
    { name: 'replicas 1', in: makeDeployment('web').build(), path: (d) => d.spec?.replicas, want: 1 },
    { name: 'keeps replicas 0', in: makeDeployment('web').replicas(0).build(), path: (d) => d.spec?.replicas, want: 0 },
    {
      name: 'RollingUpdate 25%/25%', in: makeDeployment('web').build(), path: (d) => d.spec?.strategy,
      want: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    },
    {
      name: 'Recreate gets no rollingUpdate', in: makeDeployment('web').set({ strategy: { type: 'Recreate' } }).build(),
      path: (d) => d.spec?.strategy, want: { type: 'Recreate' },
    },
    {
      name: 'keeps an explicit maxSurge', in: makeDeployment('web').set({ strategy: { rollingUpdate: { maxSurge: 2 } } }).build(),
      path: (d) => d.spec?.strategy?.rollingUpdate, want: { maxSurge: 2, maxUnavailable: '25%' },
    },
    { name: 'revisionHistoryLimit 10', in: makeDeployment('web').build(), path: (d) => d.spec?.revisionHistoryLimit, want: 10 },
    { name: 'progressDeadlineSeconds 600', in: makeDeployment('web').build(), path: (d) => d.spec?.progressDeadlineSeconds, want: 600 },
    {
      name: 'pod template restartPolicy Always', in: makeDeployment('web').build(),
      path: (d) => d.spec?.template.spec?.restartPolicy, want: 'Always',
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(c.path(defaulted(c.in)), c.want));
});

describe('Deployment validation', () => {
  it('accepts a defaulted deployment', () => {
    assert.deepEqual(validateDeployment(defaulted(makeDeployment('web').build())), []);
  });

  const cases: { name: string; in: Deployment; want: string[] }[] = [
    {
      name: 'selector that does not match the template labels',
      in: makeDeployment('web').selector({ app: 'web' }).templateLabels({ app: 'x' }).build(),
      want: ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`'],
    },
    {
      name: 'missing selector',
      in: makeDeployment('web').selector(undefined).build(),
      want: [
        'spec.selector: Required value',
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      ],
    },
    {
      name: 'empty selector',
      in: makeDeployment('web').set({ selector: {} }).build(),
      want: ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment'],
    },
    {
      name: 'negative replicas',
      in: makeDeployment('web').replicas(-1).build(),
      want: ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    },
    {
      name: 'maxSurge and maxUnavailable both 0',
      in: makeDeployment('web').set({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } }).build(),
      want: ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0'],
    },
    {
      name: 'maxUnavailable over 100%',
      in: makeDeployment('web').set({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '150%' } } }).build(),
      want: ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%'],
    },
    {
      name: 'pod template that does not restart Always',
      in: (() => {
        const d = makeDeployment('web').build();
        d.spec!.template.spec!.restartPolicy = 'OnFailure';
        return d;
      })(),
      want: ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
    },
    {
      name: 'progress deadline not above minReadySeconds',
      in: makeDeployment('web').set({ minReadySeconds: 30, progressDeadlineSeconds: 30 }).build(),
      want: ['spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds'],
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, () => assert.deepEqual(messages(validateDeployment(defaulted(c.in))), c.want));
  }

  it('forbids changing the selector on update', () => {
    const old = defaulted(makeDeployment('web').build());
    const upd = defaulted(makeDeployment('web').selector({ app: 'web2' }).templateLabels({ app: 'web2' }).build());
    assert.deepEqual(messages(deployments.validateUpdate!(kube(upd), kube(old))), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });

  it('allows scaling on update', () => {
    const old = defaulted(makeDeployment('web').build());
    assert.deepEqual(deployments.validateUpdate!(kube(defaulted(makeDeployment('web').replicas(5).build())), kube(old)), []);
  });
});

describe('Deployment printing', () => {
  it('shows 2/3 ready, up-to-date, available, age and the wide cells', () => {
    const d = makeDeployment('web').replicas(3)
      .set({ selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] } })
      .status({ readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 }).build();
    assert.deepEqual(deployments.row!(kube(d), T0 + 5 * 60_000), ['2/3', 3, 2, '5m', 'web', 'nginx:1.25', 'app=web,tier in (a,b)']);
  });

  it('has a cell for every column', () => {
    const d = makeDeployment('web').build();
    assert.equal(deployments.row!(kube(d), T0).length, deployments.columns!.length);
    assert.deepEqual(deployments.columns!.map((c) => `${c.name}/${c.priority}`),
      ['Ready/0', 'Up-to-date/0', 'Available/0', 'Age/0', 'Containers/1', 'Images/1', 'Selector/1']);
  });
});

describe('Deployment discovery', () => {
  it('serves scale as autoscaling/v1 Scale and declares its scale paths', () => {
    assert.deepEqual(deployments.subresources, [
      { name: 'status', kind: 'Deployment', verbs: ['get', 'patch', 'update'] },
      { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
    ]);
    assert.deepEqual(deployments.scale, { specReplicas: 'spec.replicas', statusReplicas: 'status.replicas', labelSelector: 'spec.selector' });
    assert.deepEqual([deployments.shortNames, deployments.categories], [['deploy'], ['all']]);
  });
});
