import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatTime } from '../../apimachinery/duration.js';
import { nodeInternalIP, PodAddressRange, podRangePrefix } from './addresses.js';
import { expandNodes, nodeManifest, ZONE_LABEL } from './nodes.js';
import {
  completedStatus, defaultStages, DEFAULT_JOB_RUN_MS, EXIT_CODE_ANNOTATION, isFinite, RUN_MS_ANNOTATION, runningStatus, stageDelay,
  stageFor, stageMatches, type Stage, type StageNode,
} from './stages.js';
import type { Pod } from './types.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');

function pod(o: { phase?: string; deleting?: boolean; grace0WithFinalizer?: boolean; restartPolicy?: string; annotations?: Record<string, string>; job?: boolean; startedAt?: number } = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: 'p', namespace: 'default', uid: 'u-1', resourceVersion: '1',
      ...(o.annotations ? { annotations: o.annotations } : {}),
      ...(o.deleting ? { deletionTimestamp: formatTime(T0) } : {}),
      ...(o.grace0WithFinalizer ? { deletionGracePeriodSeconds: 0, finalizers: ['x/y'] } : {}),
      ...(o.job ? { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'j-1', controller: true }] } : {}),
    },
    spec: { nodeName: 'n', containers: [{ name: 'c', image: 'img' }], ...(o.restartPolicy ? { restartPolicy: o.restartPolicy } : {}) },
    status: {
      ...(o.phase ? { phase: o.phase } : {}),
      ...(o.startedAt !== undefined ? { containerStatuses: [{ name: 'c', image: 'img', imageID: 'x', ready: true, restartCount: 0, state: { running: { startedAt: formatTime(o.startedAt) } } }] } : {}),
    },
  };
}

const node: StageNode = { name: 'n', hostIP: '10.244.0.1', allocatePodIP: () => '10.42.0.2' };

describe('default stages', () => {
  const cases: { name: string; pod: Pod; stage: string | undefined }[] = [
    { name: 'a bound pod with no phase starts', pod: pod(), stage: 'pod-ready' },
    { name: 'a pending pod starts', pod: pod({ phase: 'Pending' }), stage: 'pod-ready' },
    { name: 'a running service pod stays', pod: pod({ phase: 'Running' }), stage: undefined },
    { name: 'a running pod with a run time but restartPolicy Always stays', pod: pod({ phase: 'Running', annotations: { [RUN_MS_ANNOTATION]: '10' } }), stage: undefined },
    { name: 'a running finite pod completes', pod: pod({ phase: 'Running', restartPolicy: 'Never', annotations: { [RUN_MS_ANNOTATION]: '10' } }), stage: 'pod-complete' },
    { name: 'a running Job pod completes', pod: pod({ phase: 'Running', restartPolicy: 'OnFailure', job: true }), stage: 'pod-complete' },
    { name: 'a deleting pod is deleted', pod: pod({ phase: 'Running', deleting: true }), stage: 'pod-delete' },
    { name: 'a deleting pending pod is deleted', pod: pod({ deleting: true }), stage: 'pod-delete' },
    { name: 'a pod deleted with no grace waiting on finalizers is left', pod: pod({ deleting: true, grace0WithFinalizer: true }), stage: undefined },
    { name: 'a succeeded pod stays', pod: pod({ phase: 'Succeeded', restartPolicy: 'Never', job: true }), stage: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(stageFor(defaultStages, c.pod)?.name, c.stage));
  }

  it('counts a finite pod\'s run time from when its containers started', () => {
    const complete = defaultStages.find((s) => s.name === 'pod-complete')!;
    const cases = [
      { pod: pod({ phase: 'Running', restartPolicy: 'Never', annotations: { [RUN_MS_ANNOTATION]: '5000' }, startedAt: T0 }), now: T0 + 2000, want: 3000 },
      { pod: pod({ phase: 'Running', restartPolicy: 'Never', annotations: { [RUN_MS_ANNOTATION]: '5000' }, startedAt: T0 }), now: T0 + 9000, want: 0 },
      { pod: pod({ phase: 'Running', restartPolicy: 'Never', job: true, startedAt: T0 }), now: T0, want: DEFAULT_JOB_RUN_MS },
    ];
    for (const c of cases) assert.equal(stageDelay(complete, c.pod, c.now), c.want);
  });

  it('finite means a restart policy that lets containers end and a run time or a Job owner', () => {
    const cases: [Pod, boolean][] = [
      [pod({ restartPolicy: 'Never', annotations: { [RUN_MS_ANNOTATION]: '1' } }), true],
      [pod({ restartPolicy: 'OnFailure', job: true }), true],
      [pod({ restartPolicy: 'Never' }), false],
      [pod({ job: true }), false],
    ];
    for (const [p, want] of cases) assert.equal(isFinite(p), want);
  });
});

describe('stage selectors', () => {
  const stage = (selector: Stage['selector']): Stage => ({ name: 's', selector, delayMs: 0, next: () => undefined });
  const cases: { name: string; selector: Stage['selector']; pod: Pod; want: boolean }[] = [
    { name: 'phase matches', selector: { phases: ['Running'] }, pod: pod({ phase: 'Running' }), want: true },
    { name: 'no phase counts as Pending', selector: { phases: ['Pending'] }, pod: pod(), want: true },
    { name: 'phase differs', selector: { phases: ['Pending'] }, pod: pod({ phase: 'Running' }), want: false },
    { name: 'deleting wanted', selector: { deleting: true }, pod: pod({ deleting: true }), want: true },
    { name: 'not deleting wanted', selector: { deleting: false }, pod: pod({ deleting: true }), want: false },
    { name: 'annotation present', selector: { annotations: [EXIT_CODE_ANNOTATION] }, pod: pod({ annotations: { [EXIT_CODE_ANNOTATION]: '1' } }), want: true },
    { name: 'annotation missing', selector: { annotations: [EXIT_CODE_ANNOTATION] }, pod: pod(), want: false },
    { name: 'a function', selector: (p) => p.metadata?.name === 'p', pod: pod(), want: true },
  ];
  for (const c of cases) it(c.name, () => assert.equal(stageMatches(stage(c.selector), c.pod), c.want));
});

describe('pod statuses', () => {
  it('a running pod reports every container started and ready, with addresses', () => {
    const s = runningStatus(pod(), T0, node);
    assert.equal(s.phase, 'Running');
    assert.equal(s.podIP, '10.42.0.2');
    assert.equal(s.hostIP, '10.244.0.1');
    assert.equal(s.startTime, formatTime(T0));
    const cs = s.containerStatuses![0]!;
    assert.deepEqual([cs.name, cs.ready, cs.started, cs.restartCount, cs.image], ['c', true, true, 0, 'img']);
    assert.ok(cs.imageID && cs.state?.running?.startedAt);
  });

  it('a host-network pod has the node\'s address', () => {
    const p = pod();
    p.spec!.hostNetwork = true;
    assert.equal(runningStatus(p, T0, node).podIP, '10.244.0.1');
  });

  it('an exit code decides Succeeded or Failed', () => {
    const cases: [number, string, string][] = [[0, 'Succeeded', 'Completed'], [3, 'Failed', 'Error']];
    for (const [code, phase, reason] of cases) {
      const s = completedStatus(pod({ phase: 'Running', startedAt: T0 }), T0 + 1000, code);
      assert.equal(s.phase, phase);
      assert.deepEqual(s.containerStatuses![0]!.state?.terminated?.exitCode, code);
      assert.equal(s.containerStatuses![0]!.state?.terminated?.reason, reason);
      assert.equal(s.containerStatuses![0]!.state?.terminated?.startedAt, formatTime(T0));
    }
  });
});

describe('nodes and addresses', () => {
  it('expands a fleet with zones round-robin', () => {
    const specs = expandNodes({ count: 4, namePrefix: 'x-', zones: ['a', 'b', 'c'] });
    assert.deepEqual(specs.map((s) => [s.name, s.zone]), [['x-0', 'a'], ['x-1', 'b'], ['x-2', 'c'], ['x-3', 'a']]);
    assert.equal(nodeManifest(specs[1]!, 1, T0).metadata?.labels?.[ZONE_LABEL], 'b');
  });

  it('gives each node its own addresses and pod range', () => {
    const cases: [number, string, string][] = [[0, '10.244.0.1', '10.42.0'], [253, '10.244.0.254', '10.42.253'], [254, '10.244.1.1', '10.42.254'], [300, '10.244.1.47', '10.43.44']];
    for (const [i, ip, prefix] of cases) {
      assert.equal(nodeInternalIP(i), ip);
      assert.equal(podRangePrefix(i), prefix);
    }
  });

  it('hands out pod addresses not in use', () => {
    const r = new PodAddressRange('10.42.7');
    r.claim('10.42.7.2');
    assert.equal(r.allocate(), '10.42.7.3');
    r.release('10.42.7.2');
    const seen = new Set<string>();
    for (let i = 0; i < 252; i++) seen.add(r.allocate());
    assert.equal(seen.size, 252);
    assert.ok(seen.has('10.42.7.2'));
  });
});
