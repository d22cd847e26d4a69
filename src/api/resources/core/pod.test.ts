import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { T0, iso, makePod } from './fixtures.js';
import { POD_UPDATE_FORBIDDEN, podQOSClass, podResource } from './pod.js';

const now = T0 + 10 * 60_000; // pods below were created 10 minutes ago
const row = (p: Pod): unknown[] => podResource.row!(p as never, now);
const defaulted = (p: Pod): Pod => {
  podResource.setDefaults!(p as never);
  return p;
};

describe('pod printer', () => {
  const running = { running: { startedAt: iso(T0) } };
  const cases: { name: string; pod: Pod; want: unknown[] }[] = [
    {
      name: 'Pending before scheduling',
      pod: makePod().container().phase('Pending').build(),
      want: ['0/1', 'Pending', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'ContainerCreating while the image pulls',
      pod: makePod().container().spec({ nodeName: 'n1' }).phase('Pending').status({ state: { waiting: { reason: 'ContainerCreating' } } }).build(),
      want: ['0/1', 'ContainerCreating', '0', '10m', '<none>', 'n1', '<none>', '<none>'],
    },
    {
      name: 'Running 1/1',
      pod: (() => {
        const p = makePod().container().spec({ nodeName: 'n1' }).phase('Running').status({ ready: true, state: running }).condition('Ready', 'True').build();
        (p.status as { podIP?: string; podIPs?: { ip: string }[] }).podIPs = [{ ip: '10.42.0.5' }];
        return p;
      })(),
      want: ['1/1', 'Running', '0', '10m', '10.42.0.5', 'n1', '<none>', '<none>'],
    },
    {
      name: 'CrashLoopBackOff with the last restart time',
      pod: makePod().container().phase('Running').status({
        restartCount: 5,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: iso(now - 2 * 60_000) } },
      }).build(),
      want: ['0/1', 'CrashLoopBackOff', '5 (2m ago)', '10m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'Completed',
      pod: makePod().container().spec({ restartPolicy: 'Never' }).phase('Succeeded')
        .status({ state: { terminated: { exitCode: 0, reason: 'Completed' } } }).build(),
      want: ['0/1', 'Completed', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'Error',
      pod: makePod().container().phase('Failed').status({ state: { terminated: { exitCode: 2, reason: 'Error' } } }).build(),
      want: ['0/1', 'Error', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'exit code without a reason',
      pod: makePod().container().phase('Failed').status({ state: { terminated: { exitCode: 137 } } }).build(),
      want: ['0/1', 'ExitCode:137', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'Terminating',
      pod: makePod().container().phase('Running').status({ ready: true, state: running }).deleting().build(),
      want: ['1/1', 'Terminating', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'Init progress',
      pod: makePod().initContainer().initContainer().container().phase('Pending')
        .initStatus({ state: { terminated: { exitCode: 0, reason: 'Completed' } } })
        .initStatus({ state: running })
        .status({ state: { waiting: { reason: 'PodInitializing' } } }).build(),
      want: ['0/1', 'Init:1/2', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'Init failure',
      pod: makePod().initContainer().container().phase('Pending')
        .initStatus({ restartCount: 1, state: { terminated: { exitCode: 1, reason: 'Error' } } }).build(),
      want: ['0/1', 'Init:Error', '1', '10m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'Init crash loop',
      pod: makePod().initContainer().container().phase('Pending')
        .initStatus({ state: { waiting: { reason: 'CrashLoopBackOff' } } }).build(),
      want: ['0/1', 'Init:CrashLoopBackOff', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'sidecar counted in READY',
      pod: makePod().initContainer({ restartPolicy: 'Always' }).container().phase('Running')
        .initStatus({ started: true, ready: true, state: running })
        .status({ ready: true, state: running }).condition('Initialized', 'True').build(),
      want: ['2/2', 'Running', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'NotReady when one container completed and another runs without readiness',
      pod: makePod().container().container().phase('Running')
        .status({ ready: true, state: running })
        .status({ state: { terminated: { exitCode: 0, reason: 'Completed' } } }).build(),
      want: ['1/2', 'NotReady', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'readiness gates',
      pod: makePod().container().spec({ readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/x' }] })
        .phase('Running').condition('example.com/lb', 'True').build(),
      want: ['0/1', 'Running', '0', '10m', '<none>', '<none>', '<none>', '1/2'],
    },
  ];
  for (const c of cases) {
    it(`prints ${c.name}`, () => assert.deepEqual(row(c.pod), c.want));
  }

  it('declares the kubectl columns with wide ones at priority 1', () => {
    assert.deepEqual(podResource.columns!.map((c) => `${c.name}:${c.priority}`), [
      'Ready:0', 'Status:0', 'Restarts:0', 'Age:0', 'IP:1', 'Node:1', 'Nominated Node:1', 'Readiness Gates:1',
    ]);
  });
});

describe('pod defaults', () => {
  it('adds pod-only defaults on top of the spec defaults', () => {
    const p = defaulted(makePod().container({ resources: { limits: { cpu: '500m', memory: '128Mi' } } }).build());
    assert.equal(p.spec!.enableServiceLinks, true);
    assert.equal(p.spec!.restartPolicy, 'Always');
    assert.deepEqual(p.spec!.containers[0]!.resources!.requests, { cpu: '500m', memory: '128Mi' });
    assert.equal(p.status!.phase, 'Pending');
    assert.equal(p.status!.qosClass, 'Guaranteed');
  });

  const qos: [string, Pod, string][] = [
    ['no resources', makePod().container().build(), 'BestEffort'],
    ['requests only', makePod().container({ resources: { requests: { cpu: '100m' } } }).build(), 'Burstable'],
    ['limits equal requests', makePod().container({ resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1Gi' } } }).build(), 'Guaranteed'],
  ];
  for (const [name, pod, want] of qos) {
    it(`classifies ${name} as ${want}`, () => assert.equal(podQOSClass(pod.spec!), want));
  }
});

describe('pod validation', () => {
  it('accepts a defaulted pod', () => {
    assert.deepEqual(podResource.validate!(defaulted(makePod().container().build()) as never), []);
  });

  it('checks the name as a DNS subdomain', () => {
    const errs = podResource.validate!(defaulted(makePod('Web_1').container().build()) as never);
    assert.equal(errs[0]!.field, 'metadata.name');
    assert.match(errs[0]!.message, /^Invalid value: "Web_1": a lowercase RFC 1123 subdomain/);
  });

  it('forbids ephemeral containers on create', () => {
    const p = defaulted(makePod().container().build());
    (p.spec as { ephemeralContainers?: unknown[] }).ephemeralContainers = [{ name: 'dbg', image: 'busybox:1', imagePullPolicy: 'IfNotPresent' }];
    const errs = podResource.validate!(p as never);
    assert.deepEqual(errs.map((e) => e.message), ['Forbidden: cannot be set on create']);
  });
});

describe('pod update validation', () => {
  const old = defaulted(makePod().container({ image: 'nginx:1.25' }).build());
  const update = (mutate: (p: Pod) => void): string[] => {
    const next = structuredClone(old);
    mutate(next);
    return podResource.validateUpdate!(next as never, old as never).map((e) => `${e.field}: ${e.message}`);
  };

  it('allows an image change', () => assert.deepEqual(update((p) => { p.spec!.containers[0]!.image = 'nginx:1.26'; }), []));
  it('allows adding a toleration', () => {
    assert.deepEqual(update((p) => { (p.spec as { tolerations?: unknown[] }).tolerations = [{ key: 'k', operator: 'Exists' }]; }), []);
  });
  it('allows lowering activeDeadlineSeconds', () => {
    const o = structuredClone(old);
    (o.spec as { activeDeadlineSeconds?: number }).activeDeadlineSeconds = 100;
    const n = structuredClone(o);
    (n.spec as { activeDeadlineSeconds?: number }).activeDeadlineSeconds = 50;
    assert.deepEqual(podResource.validateUpdate!(n as never, o as never), []);
    (n.spec as { activeDeadlineSeconds?: number }).activeDeadlineSeconds = 200;
    assert.deepEqual(podResource.validateUpdate!(n as never, o as never).map((e) => e.message),
      ['Invalid value: 200: must be less than or equal to previous value']);
  });

  it('forbids other spec changes with Kubernetes wording', () => {
    const errs = update((p) => { (p.spec as { restartPolicy?: string }).restartPolicy = 'Never'; });
    assert.equal(errs.length, 1);
    assert.ok(errs[0]!.startsWith(`spec: Forbidden: ${POD_UPDATE_FORBIDDEN}`));
    assert.ok(errs[0]!.includes('spec.restartPolicy'));
  });

  it('forbids adding a container', () => {
    assert.deepEqual(update((p) => { p.spec!.containers.push({ name: 'b', image: 'x:1', imagePullPolicy: 'IfNotPresent' }); }),
      ['spec.containers: Forbidden: pod updates may not add or remove containers']);
  });
});

describe('pod field selectors', () => {
  it('exposes the Kubernetes keys', () => {
    const p = makePod().container().spec({ nodeName: 'n1', hostNetwork: true }).phase('Running').build();
    const f = podResource.fields!;
    assert.equal(f['spec.nodeName']!(p as never), 'n1');
    assert.equal(f['spec.hostNetwork']!(p as never), 'true');
    assert.equal(f['status.phase']!(p as never), 'Running');
    assert.equal(f['status.podIP']!(p as never), '');
    assert.deepEqual(Object.keys(f).sort(), [
      'spec.hostNetwork', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName',
      'status.nominatedNodeName', 'status.phase', 'status.podIP',
    ]);
  });
});
