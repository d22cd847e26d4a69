import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { computePodStatus, podPhase, type PodStatusInput } from './status.js';
import type { RuntimeContainer } from './runtime-state.js';
import { rc, sandbox } from './testing.js';

const NOW = Date.parse('2024-05-01T10:00:00Z');
const T = (s: number) => new Date(Date.parse('2024-05-01T09:00:00Z') + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pod(containers: (string | Container)[], more: { inits?: (string | Container)[]; restartPolicy?: string; status?: PodStatus; spec?: Partial<NonNullable<Pod['spec']>> } = {}): Pod {
  const c = (x: string | Container): Container => (typeof x === 'string' ? { name: x, image: `img/${x}` } : x);
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'u' },
    spec: { containers: containers.map(c), initContainers: (more.inits ?? []).map(c), restartPolicy: more.restartPolicy ?? 'Always', nodeName: 'n1', ...more.spec },
    status: more.status ?? { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: T(0) }] },
  };
}

function status(p: Pod, containers: RuntimeContainer[], more: Partial<PodStatusInput> = {}): PodStatus {
  return computePodStatus({ pod: p, state: { sandboxes: [sandbox()], containers }, now: NOW, hostIPs: ['192.168.1.2'], ...more });
}

const cond = (s: PodStatus, type: string) => {
  const c = s.conditions!.find((x) => x.type === type)!;
  return [c.status, c.reason, c.message].filter((x) => x !== undefined).join(' | ');
};
const cs = (s: PodStatus, name: string) => [...(s.containerStatuses ?? []), ...(s.initContainerStatuses ?? [])].find((x) => x.name === name)!;

describe('computePodStatus', () => {
  it('a new pod waits in ContainerCreating, Pending', () => {
    const s = computePodStatus({ pod: pod(['a']), state: { sandboxes: [], containers: [] }, now: NOW, hostIPs: ['192.168.1.2'] });
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(cs(s, 'a').state, { waiting: { reason: 'ContainerCreating' } });
    assert.equal(cs(s, 'a').image, 'img/a');
    assert.deepEqual(s.conditions!.map((c) => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    assert.equal(cond(s, 'PodReadyToStartContainers'), 'False');
    assert.equal(cond(s, 'Initialized'), 'True');
    assert.equal(cond(s, 'Ready'), 'False | ContainersNotReady | containers with unready status: [a]');
    assert.equal(s.conditions!.find((c) => c.type === 'PodScheduled')!.lastTransitionTime, T(0), 'kept');
    assert.equal(s.startTime, '2024-05-01T10:00:00Z');
    assert.equal(s.qosClass, 'BestEffort');
    assert.equal(s.hostIP, '192.168.1.2');
    assert.equal(s.podIP, undefined, 'no sandbox yet');
  });

  it('a running pod is Running and Ready, with IDs and images', () => {
    const s = status(pod(['b', 'a']), [rc('a', 'running', { id: 'abc', startedAt: Date.parse(T(5)) }), rc('b', 'running')]);
    assert.equal(s.phase, 'Running');
    assert.deepEqual(s.containerStatuses!.map((c) => c.name), ['a', 'b'], 'sorted by name');
    const a = cs(s, 'a');
    assert.deepEqual(
      [a.state, a.ready, a.started, a.containerID, a.imageID, a.image, a.restartCount],
      [{ running: { startedAt: T(5) } }, true, true, 'containerd://abc', 'sha256:a', 'img/a', 0],
    );
    for (const t of ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']) assert.equal(cond(s, t), 'True', t);
    assert.deepEqual(s.podIPs, [{ ip: '10.42.0.5' }]);
  });

  it('a crash-looping container waits in CrashLoopBackOff with its last termination', () => {
    const failures = new Map([['a', { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=a pod=p_ns(u)' }]]);
    const s = status(pod(['a']), [rc('a', 'exited', { exitCode: 1, restartCount: 2, reason: 'Error' }), rc('a', 'exited', { exitCode: 1, restartCount: 1 })], { syncFailures: failures });
    const a = cs(s, 'a');
    assert.deepEqual(a.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=a pod=p_ns(u)' } });
    assert.equal(a.lastState!.terminated!.exitCode, 1);
    assert.equal(a.lastState!.terminated!.reason, 'Error');
    assert.equal(a.restartCount, 2);
    assert.equal(s.phase, 'Running');
  });

  it('shows the previous instance as lastState of a running container', () => {
    const s = status(pod(['a']), [rc('a', 'running', { restartCount: 1 }), rc('a', 'exited', { exitCode: 137, reason: 'OOMKilled' })]);
    assert.equal(cs(s, 'a').lastState!.terminated!.reason, 'OOMKilled');
    assert.equal(cs(s, 'a').restartCount, 1);
  });

  it('reports sync failures such as ErrImagePull and CreateContainerConfigError', () => {
    const failures = new Map([['a', { reason: 'ErrImagePull', message: 'pull failed' }], ['b', { reason: 'CreateContainerConfigError', message: 'configmap "x" not found' }]]);
    const s = status(pod(['a', 'b']), [], { syncFailures: failures });
    assert.deepEqual(cs(s, 'a').state, { waiting: { reason: 'ErrImagePull', message: 'pull failed' } });
    assert.deepEqual(cs(s, 'b').state, { waiting: { reason: 'CreateContainerConfigError', message: 'configmap "x" not found' } });
    assert.equal(s.phase, 'Pending');
  });

  it('init containers: regular containers wait in PodInitializing until they are done', () => {
    const p = pod(['a'], { inits: ['i1', 'i2'] });
    const s = status(p, [rc('i1', 'exited'), rc('i2', 'running')].reverse());
    assert.deepEqual(cs(s, 'a').state, { waiting: { reason: 'PodInitializing' } });
    assert.deepEqual(s.initContainerStatuses!.map((c) => c.name), ['i1', 'i2'], 'spec order');
    assert.equal(cs(s, 'i1').ready, true, 'a finished init container is ready');
    assert.equal(cs(s, 'i1').state!.terminated!.reason, 'Completed');
    assert.equal(cond(s, 'Initialized'), 'False | ContainersNotInitialized | containers with incomplete status: [i2]');
    assert.equal(s.phase, 'Pending');
  });

  it('a failed init container under Never fails the pod', () => {
    const s = status(pod(['a'], { inits: ['i1'], restartPolicy: 'Never' }), [rc('i1', 'exited', { exitCode: 3 })]);
    assert.equal(s.phase, 'Failed');
  });

  it('readiness gates hold Ready back', () => {
    const p = pod(['a'], { spec: { readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/fw' }] } });
    p.status!.conditions!.push({ type: 'example.com/fw', status: 'False' });
    const s = status(p, [rc('a', 'running')]);
    assert.equal(cond(s, 'ContainersReady'), 'True');
    assert.equal(cond(s, 'Ready'), 'False | ReadinessGatesNotReady | corresponding condition of pod readiness gate "example.com/lb" does not exist., the status of pod readiness gate "example.com/fw" is not "True", but False');
    assert.ok(s.conditions!.some((c) => c.type === 'example.com/fw'), 'other conditions are kept');
  });

  it('probes decide started and ready', () => {
    const p = pod([
      { name: 'a', image: 'i', readinessProbe: { exec: { command: ['true'] } } },
      { name: 'b', image: 'i', startupProbe: { exec: { command: ['true'] } } },
      { name: 'c', image: 'i', readinessProbe: { exec: { command: ['true'] } } },
    ]);
    const s = status(p, [rc('a', 'running', { id: 'a1' }), rc('b', 'running', { id: 'b1' }), rc('c', 'running', { id: 'c1' })], {
      probes: { startup: () => undefined, readiness: (id) => (id === 'c1' ? 'success' : undefined) },
    });
    assert.deepEqual([cs(s, 'a').started, cs(s, 'a').ready], [true, false], 'readiness not yet probed');
    assert.deepEqual([cs(s, 'b').started, cs(s, 'b').ready], [false, false], 'startup not yet probed');
    assert.deepEqual([cs(s, 'c').started, cs(s, 'c').ready], [true, true]);
    assert.equal(cond(s, 'ContainersReady'), 'False | ContainersNotReady | containers with unready status: [a b]');
  });

  it('keeps lastTransitionTime while a condition holds, and a terminal phase', () => {
    const first = status(pod(['a']), [rc('a', 'running')]);
    const later = computePodStatus({ pod: { ...pod(['a']), status: first }, state: { sandboxes: [sandbox()], containers: [rc('a', 'running')] }, now: NOW + 60_000, hostIPs: ['192.168.1.2'] });
    assert.deepEqual(later.conditions!.map((c) => c.lastTransitionTime), first.conditions!.map((c) => c.lastTransitionTime));
    assert.equal(later.startTime, first.startTime);
    const failed = computePodStatus({ pod: { ...pod(['a']), status: { ...first, phase: 'Failed' } }, state: { sandboxes: [sandbox()], containers: [rc('a', 'running')] }, now: NOW, hostIPs: [] });
    assert.equal(failed.phase, 'Failed');
  });

  it('a vanished running container counts as terminated, unknown', () => {
    const running: ContainerStatus = { name: 'a', image: 'i', imageID: 'x', ready: true, restartCount: 0, state: { running: { startedAt: T(1) } } };
    const s = status(pod(['a'], { status: { phase: 'Running', containerStatuses: [running] } }), []);
    assert.equal(cs(s, 'a').lastState!.terminated!.reason, 'ContainerStatusUnknown');
    assert.equal(cs(s, 'a').restartCount, 1);
    assert.equal(s.phase, 'Running');
  });

  it('host-network pods take the host IPs', () => {
    const s = status(pod(['a'], { spec: { hostNetwork: true } }), [rc('a', 'running')], { state: { sandboxes: [sandbox({ ips: [], network: 'NODE' })], containers: [rc('a', 'running')] } });
    assert.equal(s.podIP, '192.168.1.2');
    assert.equal(cond(s, 'PodReadyToStartContainers'), 'True');
  });
});

describe('podPhase', () => {
  const run = (): ContainerStatus['state'] => ({ running: { startedAt: T(0) } });
  const term = (exitCode: number): ContainerStatus['state'] => ({ terminated: { exitCode } });
  const st = (name: string, state: ContainerStatus['state'], more: Partial<ContainerStatus> = {}): ContainerStatus =>
    ({ name, image: 'i', imageID: '', ready: false, restartCount: 0, state, ...more });
  const crashWait = (): ContainerStatus['state'] => ({ waiting: { reason: 'CrashLoopBackOff' } });
  const last = (exitCode: number) => ({ lastState: { terminated: { exitCode } } });
  const cases: [string, string, ContainerStatus[], string, boolean?][] = [
    ['Always: one running', 'Always', [st('a', run()), st('b', term(0))], 'Running'],
    ['Always: all exited is still Running', 'Always', [st('a', term(0)), st('b', term(1))], 'Running'],
    ['OnFailure: all succeeded', 'OnFailure', [st('a', term(0)), st('b', term(0))], 'Succeeded'],
    ['OnFailure: a failure restarting', 'OnFailure', [st('a', term(0)), st('b', term(1))], 'Running'],
    ['Never: a failure', 'Never', [st('a', term(0)), st('b', term(1))], 'Failed'],
    ['Never: all succeeded', 'Never', [st('a', term(0)), st('b', term(0))], 'Succeeded'],
    ['waiting without history is Pending', 'Always', [st('a', run()), st('b', { waiting: {} })], 'Pending'],
    ['waiting after a crash counts as stopped', 'Always', [st('a', crashWait(), last(1)), st('b', run())], 'Running'],
    ['unknown container is Pending', 'Always', [st('a', run())], 'Pending'],
    ['terminal pod: all succeeded', 'Always', [st('a', term(0)), st('b', term(0))], 'Succeeded', true],
    ['terminal pod: one failed', 'Always', [st('a', term(0)), st('b', term(2))], 'Failed', true],
  ];
  for (const [name, policy, statuses, want, terminal] of cases) {
    it(name, () => {
      const p = pod(['a', 'b'], { restartPolicy: policy });
      assert.equal(podPhase(p, statuses, terminal ?? false), want);
    });
  }
  const sidecar: Container = { name: 's', image: 'i', restartPolicy: 'Always' };
  it('a started sidecar with running containers is Running', () => {
    const p = pod(['a'], { inits: [sidecar] });
    assert.equal(podPhase(p, [st('s', run(), { started: true }), st('a', run())], false), 'Running');
  });
  it('a sidecar not yet started keeps the pod Pending', () => {
    const p = pod(['a'], { inits: [sidecar] });
    assert.equal(podPhase(p, [st('s', run(), { started: false }), st('a', { waiting: {} })], false), 'Pending');
  });
  it('Never: succeeded containers with an exited sidecar Succeed', () => {
    const p = pod(['a'], { inits: [sidecar], restartPolicy: 'Never' });
    assert.equal(podPhase(p, [st('s', term(137)), st('a', term(0))], false), 'Succeeded');
  });
});
