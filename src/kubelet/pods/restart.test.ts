import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { computePodActions, sandboxChanged, type ProbeResults } from './restart.js';
import { containerHash } from './labels.js';
import type { RuntimeContainer } from './runtime-state.js';
import { rc, sandbox } from './testing.js';

function pod(restartPolicy: string, containers: string[], inits: (string | Container)[] = [], more: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'u' },
    spec: {
      restartPolicy,
      containers: containers.map((name) => ({ name, image: 'i' })),
      initContainers: inits.map((c) => (typeof c === 'string' ? { name: c, image: 'i' } : c)),
      ...more,
    },
  };
}

/** Newest first, as the runtime state holds them: later arguments are older. */
const state = (containers: RuntimeContainer[], sandboxes = [sandbox()]) => ({ sandboxes, containers });
const sidecar = (name: string, more: Partial<Container> = {}): Container => ({ name, image: 'i', restartPolicy: 'Always', ...more });

describe('sandboxChanged', () => {
  const p = pod('Always', ['a']);
  const cases: [string, Pod, ReturnType<typeof state>['sandboxes'], { changed: boolean; attempt: number }][] = [
    ['none yet', p, [], { changed: true, attempt: 0 }],
    ['ready with an IP', p, [sandbox({ attempt: 2 })], { changed: false, attempt: 2 }],
    ['not ready', p, [sandbox({ ready: false, attempt: 1 })], { changed: true, attempt: 2 }],
    ['two ready', p, [sandbox(), sandbox({ id: 'sb0' })], { changed: true, attempt: 1 }],
    ['no IP', p, [sandbox({ ips: [] })], { changed: true, attempt: 1 }],
    ['host network without IP is fine', pod('Always', ['a'], [], { hostNetwork: true }), [sandbox({ ips: [], network: 'NODE' })], { changed: false, attempt: 0 }],
    ['network mode changed', pod('Always', ['a'], [], { hostNetwork: true }), [sandbox()], { changed: true, attempt: 1 }],
  ];
  for (const [name, pd, sbs, want] of cases) {
    it(name, () => {
      const got = sandboxChanged(pd, { sandboxes: sbs, containers: [] });
      assert.deepEqual({ changed: got.changed, attempt: got.attempt }, want);
    });
  }
});

describe('computePodActions', () => {
  const cases: { name: string; pod: Pod; st: ReturnType<typeof state>; want: { start?: number[]; init?: number[]; kill?: string[]; killPod?: boolean; createSandbox?: boolean } }[] = [
    { name: 'new pod: sandbox and every container', pod: pod('Always', ['a', 'b']), st: state([], []), want: { createSandbox: true, killPod: true, start: [0, 1] } },
    { name: 'new pod with init containers: the first init container only', pod: pod('Always', ['a'], ['i1', 'i2']), st: state([], []), want: { createSandbox: true, killPod: true, init: [0] } },
    { name: 'running containers are kept', pod: pod('Always', ['a']), st: state([rc('a', 'running')]), want: {} },
    { name: 'Always restarts a success', pod: pod('Always', ['a']), st: state([rc('a', 'exited')]), want: { start: [0] } },
    { name: 'OnFailure restarts a failure', pod: pod('OnFailure', ['a', 'b']), st: state([rc('a', 'exited', { exitCode: 1 }), rc('b', 'running')]), want: { start: [0] } },
    { name: 'OnFailure keeps a success down', pod: pod('OnFailure', ['a', 'b']), st: state([rc('a', 'exited'), rc('b', 'running')]), want: {} },
    { name: 'Never keeps a failure down', pod: pod('Never', ['a', 'b']), st: state([rc('a', 'exited', { exitCode: 1 }), rc('b', 'running')]), want: {} },
    { name: 'all done under Never: kill the pod', pod: pod('Never', ['a']), st: state([rc('a', 'exited', { exitCode: 1 })]), want: { killPod: true } },
    { name: 'created but not started: start again', pod: pod('Never', ['a']), st: state([rc('a', 'created')]), want: { start: [0] } },
    { name: 'unknown: kill then start', pod: pod('Always', ['a']), st: state([rc('a', 'unknown')]), want: { start: [0], kill: ['a'] } },
    { name: 'deleted pod starts nothing', pod: { ...pod('Always', ['a']), metadata: { name: 'p', deletionTimestamp: '2024-01-01T00:00:00Z' } }, st: state([rc('a', 'exited')]), want: { killPod: true } },
    { name: 'lost sandbox under Never after running: no new sandbox', pod: pod('Never', ['a']), st: state([rc('a', 'exited')], [sandbox({ ready: false })]), want: { killPod: true, createSandbox: false } },
    { name: 'lost sandbox under OnFailure with all succeeded: no new sandbox', pod: pod('OnFailure', ['a']), st: state([rc('a', 'exited')], [sandbox({ ready: false })]), want: { killPod: true, createSandbox: false } },
    { name: 'lost sandbox under Always: recreate and restart', pod: pod('Always', ['a']), st: state([rc('a', 'exited')], [sandbox({ ready: false })]), want: { killPod: true, createSandbox: true, start: [0] } },
    { name: 'first init container running: wait', pod: pod('Always', ['a'], ['i1', 'i2']), st: state([rc('i1', 'running')]), want: {} },
    { name: 'first init container done: the next one', pod: pod('Always', ['a'], ['i1', 'i2']), st: state([rc('i1', 'exited')]), want: { init: [1] } },
    { name: 'last init container done: the containers', pod: pod('Always', ['a', 'b'], ['i1', 'i2']), st: state([rc('i2', 'exited'), rc('i1', 'exited')]), want: { start: [0, 1] } },
    { name: 'init containers gone after initialization: not rerun', pod: pod('Always', ['a'], ['i1']), st: state([rc('a', 'running')]), want: {} },
    { name: 'failed init container restarts under OnFailure', pod: pod('OnFailure', ['a'], ['i1', 'i2']), st: state([rc('i1', 'exited', { exitCode: 2 })]), want: { init: [0] } },
    { name: 'failed init container fails the pod under Never', pod: pod('Never', ['a'], ['i1']), st: state([rc('i1', 'exited', { exitCode: 2 })]), want: { killPod: true } },
    { name: 'sidecar started: the next init container runs beside it', pod: pod('Always', ['a'], [sidecar('s'), 'i1']), st: state([rc('s', 'running')]), want: { init: [1] } },
    { name: 'sidecar waits for its startup probe', pod: pod('Always', ['a'], [sidecar('s', { startupProbe: { exec: { command: ['true'] } } })]), st: state([rc('s', 'running', { id: 'unprobed' })]), want: {} },
    { name: 'sidecar and init done: containers start', pod: pod('Always', ['a'], [sidecar('s'), 'i1']), st: state([rc('i1', 'exited'), rc('s', 'running')]), want: { start: [0] } },
    { name: 'exited sidecar restarts after initialization', pod: pod('Always', ['a'], [sidecar('s')]), st: state([rc('a', 'running'), rc('s', 'exited', { exitCode: 1 })]), want: { init: [0] } },
    { name: 'a missing sidecar is restarted after initialization', pod: pod('Always', ['a'], [sidecar('s'), 'i1']), st: state([rc('a', 'running')]), want: { init: [0] } },
    { name: 'sidecars alone do not keep a finished pod', pod: pod('Never', ['a'], [sidecar('s')]), st: state([rc('a', 'exited'), rc('s', 'running')]), want: { killPod: true } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = computePodActions(c.pod, c.st);
      assert.deepEqual(
        { start: got.containersToStart, init: got.initContainersToStart, kill: got.containersToKill.map((k) => k.name), killPod: got.killPod, createSandbox: got.createSandbox },
        { start: [], init: [], kill: [], killPod: false, createSandbox: false, ...c.want },
      );
    });
  }

  const probes = (liveness: Record<string, 'success' | 'failure'>, startup: Record<string, 'success' | 'failure'> = {}): ProbeResults =>
    ({ liveness: (id) => liveness[id], startup: (id) => startup[id] });

  it('kills and restarts a container failing liveness', () => {
    const got = computePodActions(pod('Always', ['a']), state([rc('a', 'running', { id: 'c1' })]), probes({ c1: 'failure' }));
    assert.deepEqual(got.containersToStart, [0]);
    assert.deepEqual(got.containersToKill, [{ id: 'c1', name: 'a', message: 'Container a failed liveness probe, will be restarted', reason: 'LivenessProbe' }]);
  });
  it('kills without restart under Never when startup fails', () => {
    const got = computePodActions(pod('Never', ['a']), state([rc('a', 'running', { id: 'c1' })]), probes({}, { c1: 'failure' }));
    assert.deepEqual(got.containersToKill.map((k) => [k.message, k.reason]), [['Container a failed startup probe', 'StartupProbe']]);
    assert.equal(got.killPod, true);
  });
  it('restarts a container whose spec changed, whatever the policy', () => {
    const p = pod('Never', ['a']);
    const stale = computePodActions(p, state([rc('a', 'running', { hash: 'old' })]));
    assert.deepEqual(stale.containersToStart, [0]);
    assert.equal(stale.containersToKill[0].message, 'Container a definition changed, will be restarted');
    const fresh = computePodActions(p, state([rc('a', 'running', { hash: containerHash(p.spec!.containers[0]) })]));
    assert.deepEqual(fresh.containersToKill, []);
  });
  it('restarts a sidecar failing liveness', () => {
    const p = pod('Always', ['a'], [sidecar('s', { livenessProbe: { exec: { command: ['true'] } } })]);
    const got = computePodActions(p, state([rc('a', 'running'), rc('s', 'running', { id: 's1' })]), probes({ s1: 'failure' }));
    assert.deepEqual(got.initContainersToStart, [0]);
    assert.equal(got.containersToKill[0].reason, 'LivenessProbe');
  });
});
