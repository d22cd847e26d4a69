import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../apimachinery/clock.js';
import type { Logger } from '../../apimachinery/log.js';
import { ProbeManager } from './manager.js';
import type { ExecResult } from './action.js';
import type { ContainerRuntimeInfo } from './worker.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, with: () => silent };
const settle = async () => { for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r)); };
const exit = (code: number, out = ''): ExecResult => ({ exitCode: code, stdout: Buffer.from(out), stderr: Buffer.alloc(0) });

function makePod(c: Partial<Container>, more: Partial<Pod['spec']> = {}): Pod {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'u1' },
    spec: { containers: [{ name: 'app', image: 'x', ...c }], ...more },
    status: { phase: 'Running' },
  };
}
const execProbe = (more: Partial<Probe> = {}): Probe => ({ exec: { command: ['check'] }, periodSeconds: 10, ...more });

/** A manager on a fake clock whose exec answers from a script per probe command. */
function setup(answers: Record<string, () => ExecResult | Promise<ExecResult>>, opts: { random?: number } = {}) {
  const clock = new FakeClock(1_000_000);
  const events: string[] = [];
  const changes: string[] = [];
  const calls: string[] = [];
  const m = new ProbeManager({
    clock, logger: silent, random: () => opts.random ?? 0,
    exec: async (_id, cmd) => { calls.push(cmd.join(' ')); return answers[cmd.join(' ')](); },
    recorder: (_pod, type, reason, message) => events.push(`${type} ${reason} ${message}`),
    onChange: (uid) => changes.push(uid),
  });
  const running = (id = 'c1', startedAt = clock.now()): ContainerRuntimeInfo[] => [{ name: 'app', id, startedAt, running: true }];
  const advance = async (ms: number) => { clock.advance(ms); await settle(); };
  return { clock, m, events, changes, calls, running, advance };
}

describe('ProbeManager', () => {
  it('gives readiness an initial failure, liveness an initial success and startup no result', async () => {
    const t = setup({ live: () => exit(0), ready: () => new Promise(() => {}), start: () => new Promise(() => {}) });
    const pod = makePod({
      livenessProbe: { exec: { command: ['live'] } }, readinessProbe: { exec: { command: ['ready'] } }, startupProbe: { exec: { command: ['start'] } },
    });
    t.m.addPod(pod);
    assert.equal(t.m.readiness('c1'), undefined);
    t.m.updatePod(pod, t.running());
    await t.advance(0);
    assert.equal(t.m.readiness('c1'), 'failure');
    assert.equal(t.m.liveness('c1'), 'success');
    assert.equal(t.m.startup('c1'), undefined);
    assert.deepEqual(t.calls, ['start'], 'only the startup probe runs before the container has started');
    t.m.stop();
  });

  const thresholds = [
    { name: 'liveness fails after failureThreshold failures', probe: 'livenessProbe' as const, threshold: { failureThreshold: 3 }, answers: [1, 1, 1], want: [undefined, undefined, 'failure'], initial: 'success' },
    { name: 'liveness failures not in a row do not count', probe: 'livenessProbe' as const, threshold: { failureThreshold: 2 }, answers: [1, 0, 1, 1], want: [undefined, undefined, undefined, 'failure'], initial: 'success' },
    { name: 'readiness needs successThreshold successes', probe: 'readinessProbe' as const, threshold: { successThreshold: 2, failureThreshold: 1 }, answers: [0, 0, 1], want: [undefined, 'success', 'failure'], initial: 'failure' },
  ];
  for (const tc of thresholds) {
    it(tc.name, async () => {
      const answers = [...tc.answers];
      const t = setup({ check: () => exit(answers.shift() ?? 0, 'boom') });
      const pod = makePod({ [tc.probe]: execProbe(tc.threshold) });
      t.m.updatePod(pod, t.running());
      const read = () => (tc.probe === 'livenessProbe' ? t.m.liveness('c1') : t.m.readiness('c1'));
      for (let i = 0; i < tc.want.length; i++) {
        await t.advance(i === 0 ? 0 : 10_000);
        assert.equal(read(), tc.want[i] ?? tc.initial, `after probe ${i + 1}`);
      }
      t.m.stop();
    });
  }

  it('records Unhealthy for every failed probe, signals the change once and holds a failed liveness', async () => {
    const t = setup({ check: () => exit(1, 'boom') });
    const pod = makePod({ livenessProbe: execProbe({ failureThreshold: 2 }) });
    t.m.updatePod(pod, t.running());
    await t.advance(0);
    await t.advance(10_000);
    assert.equal(t.m.liveness('c1'), 'failure');
    assert.deepEqual(t.events, ['Warning Unhealthy Liveness probe failed: boom', 'Warning Unhealthy Liveness probe failed: boom']);
    assert.deepEqual(t.changes, ['u1']);
    await t.advance(30_000);
    assert.equal(t.calls.length, 2, 'no probing until the container is replaced');
    // A new container starts from the initial result.
    t.m.updatePod(pod, t.running('c2'));
    await t.advance(10_000);
    assert.equal(t.m.liveness('c1'), undefined);
    assert.equal(t.m.liveness('c2'), 'success');
    assert.equal(t.calls.length, 3);
    t.m.stop();
  });

  it('runs liveness and readiness only once the startup probe succeeded, and readiness at once then', async () => {
    let startupOk = false;
    const t = setup({ start: () => exit(startupOk ? 0 : 1), live: () => exit(0), ready: () => exit(0) });
    const pod = makePod({
      startupProbe: { exec: { command: ['start'] }, periodSeconds: 10, failureThreshold: 30 },
      livenessProbe: { exec: { command: ['live'] }, periodSeconds: 10 },
      readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 10 },
    });
    t.m.updatePod(pod, t.running());
    await t.advance(0);
    await t.advance(10_000);
    assert.deepEqual(t.calls, ['start', 'start']);
    assert.equal(t.m.isStarted('u1', 'app', 'c1'), false);
    startupOk = true;
    await t.advance(10_000);
    assert.equal(t.m.startup('c1'), 'success');
    assert.deepEqual(t.changes, ['u1']);
    t.calls.length = 0;
    t.m.updatePod(pod, t.running('c1', t.clock.now() - 20_000));
    await t.advance(0);
    assert.deepEqual(t.calls, ['ready'], 'the pod sync after the change probes readiness at once');
    assert.equal(t.m.readiness('c1'), 'success');
    await t.advance(10_000);
    assert.deepEqual(t.calls.sort(), ['live', 'ready', 'ready']);
    t.m.stop();
  });

  it('waits initialDelaySeconds after the container started', async () => {
    const t = setup({ check: () => exit(0) });
    const pod = makePod({ readinessProbe: execProbe({ initialDelaySeconds: 15 }) });
    t.m.updatePod(pod, t.running());
    await t.advance(0);
    await t.advance(10_000);
    assert.deepEqual(t.calls, []);
    assert.equal(t.m.readiness('c1'), 'failure');
    await t.advance(10_000);
    assert.deepEqual(t.calls, ['check']);
    assert.equal(t.m.readiness('c1'), 'success');
    t.m.stop();
  });

  it('jitters the first run within a period only while the agent has just started', async () => {
    const t = setup({ check: () => exit(0) }, { random: 0.5 });
    const pod = makePod({ readinessProbe: execProbe() });
    t.m.updatePod(pod, t.running());
    await t.advance(4_999);
    assert.deepEqual(t.calls, []);
    await t.advance(1);
    assert.deepEqual(t.calls, ['check']);
    t.m.removePod('u1');
    await t.advance(60_000);
    const later = { ...pod, metadata: { ...pod.metadata, uid: 'u2' } };
    t.m.updatePod(later, t.running('c9'));
    await t.advance(0);
    assert.deepEqual(t.calls, ['check', 'check']);
    t.m.stop();
  });

  const execCases = [
    { name: 'a command that never answers fails at the timeout', answer: () => new Promise<ExecResult>(() => {}), event: 'Warning Unhealthy Readiness probe failed: command "check" timed out', result: 'failure' },
    { name: 'a runtime deadline is a timeout', answer: () => Promise.reject(Object.assign(new Error('deadline'), { code: 4 })), event: 'Warning Unhealthy Readiness probe failed: command "check" timed out', result: 'failure' },
    { name: 'a runtime error leaves no result', answer: () => Promise.reject(new Error('container not found')), event: 'Warning Unhealthy Readiness probe errored: container not found', result: 'failure' },
    { name: 'exit 0 is success', answer: () => exit(0, 'fine'), event: undefined, result: 'success' },
  ];
  for (const tc of execCases) {
    it(`exec: ${tc.name}`, async () => {
      const t = setup({ check: tc.answer });
      const pod = makePod({ readinessProbe: execProbe({ timeoutSeconds: 2, failureThreshold: 1 }) });
      t.m.updatePod(pod, t.running());
      await t.advance(0);
      await t.advance(2_000);
      assert.deepEqual(t.events, tc.event ? [tc.event] : []);
      assert.equal(t.m.readiness('c1'), tc.result);
      t.m.stop();
    });
  }

  it('marks a container that exited as failed and stops when it will not be restarted', async () => {
    const t = setup({ check: () => exit(0) });
    const pod = makePod({ readinessProbe: execProbe() }, { restartPolicy: 'Never' });
    t.m.updatePod(pod, t.running());
    await t.advance(0);
    assert.equal(t.m.readiness('c1'), 'success');
    t.m.updatePod(pod, [{ name: 'app', id: 'c1', startedAt: t.clock.now() - 1000, running: false }]);
    await t.advance(10_000);
    assert.equal(t.m.readiness('c1'), undefined, 'the worker ended and dropped its result');
    assert.equal(t.clock.pending(), 0);
    t.m.stop();
  });

  it('passes liveness of a pod being deleted and drops results of removed pods', async () => {
    const t = setup({ check: () => exit(1) });
    const pod = makePod({ livenessProbe: execProbe({ failureThreshold: 1 }), readinessProbe: execProbe() });
    t.m.updatePod(pod, t.running());
    await t.advance(0);
    assert.equal(t.m.liveness('c1'), 'failure');
    t.m.updatePod({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } }, t.running('c2'));
    await t.advance(10_000);
    assert.equal(t.m.liveness('c2'), undefined, 'the liveness worker has ended');
    assert.equal(t.m.readiness('c2'), 'failure');
    t.m.removePod('u1');
    assert.equal(t.m.readiness('c2'), undefined);
    assert.equal(t.clock.pending(), 0);
  });
});
