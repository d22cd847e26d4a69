// Fixtures for the preemption tests: a real framework with NodeResourcesFit (and NodeName, so a
// node can be made unresolvable), budgets served by a stand-in informer, and a client that records
// what preemption writes.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { FakeClock } from '../../../apimachinery/clock.js';
import { silentLogger } from '../../../apimachinery/log.js';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { Informer, InformerFactory } from '../../../client/informer-types.js';
import { ApiClient } from '../../../client/rest.js';
import { Snapshot } from '../../cache/snapshot.js';
import { FitError } from '../../framework/fiterror.js';
import type { NodeToStatus, PodNominator, WaitingPodHandle } from '../../framework/interface.js';
import { newNodeInfo } from '../../framework/nodeinfo.js';
import { Framework } from '../../framework/runtime.js';
import { CycleState } from '../../framework/types.js';
import { newDefaultBinder } from '../defaultbinder/index.js';
import { newNodeName } from '../nodename/index.js';
import { newNodeResourcesFit } from '../noderesources/index.js';
import { DefaultPreemption, type DefaultPreemptionArgs } from './index.js';

export interface Request { method: string; path: string; body?: unknown }

/** An ApiClient that answers every request with `{}` (or 404 for paths in `missing`) and records it. */
export function recordingClient(requests: Request[], missing: Set<string> = new Set()): ApiClient {
  return new ApiClient({
    async request(method, path, opts) {
      const body = opts?.body === undefined ? undefined : JSON.parse(String(opts.body));
      requests.push({ method, path: path.split('?')[0]!, body });
      const notFound = missing.has(path.split('?')[0]!);
      return {
        status: notFound ? 404 : 200, headers: {},
        body: Buffer.from(JSON.stringify(notFound ? { kind: 'Status', code: 404, reason: 'NotFound', message: 'not found' } : {})),
      };
    },
    stream: () => Promise.reject(new Error('no watches in this test')),
    close: () => undefined,
  });
}

/** Informers that serve only the given budgets. */
export function pdbInformers(pdbs: PodDisruptionBudget[]): InformerFactory {
  const store = { get: () => undefined, list: () => pdbs as (PodDisruptionBudget & KubeObject)[], byIndex: () => [], keys: () => [] };
  const inf = { store, addEventHandler: () => undefined, addIndex: () => undefined, hasSynced: () => true };
  return {
    informer: <T extends KubeObject>() => inf as unknown as Informer<T>,
    start: () => undefined,
    waitForSync: async () => undefined,
  };
}

export function pdb(name: string, matchLabels: Record<string, string>, disruptionsAllowed: number, o: { namespace?: string; disruptedPods?: string[] } = {}): PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
    metadata: { name, namespace: o.namespace ?? 'default' },
    spec: { selector: { matchLabels } },
    status: {
      disruptionsAllowed, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0,
      ...(o.disruptedPods ? { disruptedPods: Object.fromEntries(o.disruptedPods.map((p) => [p, '2026-01-01T00:00:00Z'])) } : {}),
    },
  };
}

/** A nominator holding fixed nominations. */
export function fixedNominator(byNode: Record<string, Pod[]> = {}): PodNominator & { deleted: string[] } {
  const deleted: string[] = [];
  return {
    deleted,
    addNominatedPod: () => undefined,
    deleteNominatedPodIfExists: (p) => { deleted.push(p.metadata?.name ?? ''); },
    nominatedPodsForNode: (n) => byNode[n] ?? [],
  };
}

export interface Setup {
  fwk: Framework;
  plugin: DefaultPreemption;
  requests: Request[];
  events: { name: string; reason: string; message: string }[];
  nominator: ReturnType<typeof fixedNominator>;
}

export interface SetupOptions {
  pdbs?: PodDisruptionBudget[];
  nominated?: Record<string, Pod[]>;
  args?: DefaultPreemptionArgs;
  random?: () => number;
  waiting?: Record<string, WaitingPodHandle>;
  missing?: Set<string>;
  now?: number;
}

export function setup(o: SetupOptions = {}): Setup {
  const requests: Request[] = [];
  const events: Setup['events'] = [];
  const nominator = fixedNominator(o.nominated);
  const fwk = new Framework(
    { schedulerName: 'default-scheduler', plugins: [{ name: 'NodeName' }, { name: 'NodeResourcesFit' }, { name: 'DefaultPreemption' }, { name: 'DefaultBinder' }] },
    {
      NodeName: newNodeName, NodeResourcesFit: newNodeResourcesFit, DefaultBinder: newDefaultBinder,
      DefaultPreemption: (args, h) => new DefaultPreemption(h, { ...args, ...o.args }, { random: o.random ?? (() => 0) }),
    },
    {
      client: recordingClient(requests, o.missing), clock: new FakeClock(o.now ?? Date.parse('2026-06-01T00:00:00Z')), logger: silentLogger,
      recorder: { event: (obj, _type, reason, message) => events.push({ name: obj.metadata?.name ?? '', reason, message }) },
      informers: o.pdbs ? pdbInformers(o.pdbs) : undefined, nominator,
    },
  );
  if (o.waiting) {
    const waiting = o.waiting;
    (fwk.handle as { getWaitingPod: (uid: string) => WaitingPodHandle | undefined }).getWaitingPod = (uid) => waiting[uid];
  }
  return { fwk, plugin: fwk.plugin('DefaultPreemption') as DefaultPreemption, requests, events, nominator };
}

export function snapshotOf(nodes: Node[], pods: Pod[]): Snapshot {
  return Snapshot.of(nodes.map((n) => newNodeInfo(n, pods.filter((p) => p.spec?.nodeName === n.metadata?.name))));
}

/** Runs a scheduling cycle that must fail; returns its state and the nodes' Filter statuses. */
export function failedCycle(fwk: Framework, pod: Pod, snapshot: Snapshot): { state: CycleState; filtered: NodeToStatus } {
  const state = new CycleState();
  try {
    const r = fwk.schedulePod(state, pod, snapshot);
    throw new Error(`expected no fit, got ${r.suggestedHost}`);
  } catch (e) {
    if (!(e instanceof FitError)) throw e;
    return { state, filtered: e.diagnosis.nodeToStatus };
  }
}
