// The scheduling queue, shaped as kube-scheduler's: an active heap ordered by the QueueSort
// plugin, a backoff heap ordered by backoff expiry (1 s doubling to 10 s per attempt), and a
// map of unschedulable pods that go back only on a cluster event that may help one of the
// plugins that rejected them, or after five minutes regardless.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import type { ClusterEvent, QueuedPodInfo } from '../framework/interface.js';
import type { Status } from '../framework/status.js';
import { podKey } from '../framework/nodeinfo.js';
import { KeyedHeap } from './heap.js';

export const DEFAULT_INITIAL_BACKOFF_MS = 1_000;
export const DEFAULT_MAX_BACKOFF_MS = 10_000;
export const DEFAULT_MAX_UNSCHEDULABLE_MS = 5 * 60_000;
const BACKOFF_FLUSH_MS = 1_000;
const UNSCHEDULABLE_FLUSH_MS = 30_000;

/** Events the queue itself raises. */
export const EVENT_UNSCHEDULABLE_TIMEOUT: ClusterEvent = { resource: 'Pod', action: 'All' };
export const EVENT_ASSIGNED_POD_ADD: ClusterEvent = { resource: 'Pod', action: 'Add' };
export const EVENT_ASSIGNED_POD_UPDATE: ClusterEvent = { resource: 'Pod', action: 'Update' };
export const EVENT_ASSIGNED_POD_DELETE: ClusterEvent = { resource: 'Pod', action: 'Delete' };

export interface SchedulingQueueOptions {
  clock: Clock;
  /** The QueueSort plugin's ordering; defaults to priority then timestamp. */
  less?: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxUnschedulableMs?: number;
  /**
   * Plugin name → the cluster events that may make it change its mind (EnqueueExtensions).
   * A plugin not listed is taken to care about every event, as Kubernetes does.
   */
  pluginEvents?: Map<string, ClusterEvent[]>;
  /** PreEnqueue plugins: a pod any of them rejects waits among the unschedulable pods. */
  preEnqueue?: (pod: Pod) => Status;
}

/** Kubernetes' default queue order: higher priority first, then earlier timestamp. */
export function prioritySortLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  const pa = a.pod.spec?.priority ?? 0;
  const pb = b.pod.spec?.priority ?? 0;
  return pa > pb || (pa === pb && a.timestamp < b.timestamp);
}

/** Whether an event of kind `ev` is one a plugin registered for `reg`. */
export function eventMatches(reg: ClusterEvent, ev: ClusterEvent): boolean {
  if (reg.resource !== ev.resource) return false;
  if (reg.action === 'All' || ev.action === 'All' || reg.action === ev.action) return true;
  // A registration for Update covers its narrower kinds (UpdateNodeLabel, UpdatePodLabel, …).
  return reg.action === 'Update' && ev.action.startsWith('Update');
}

function stripForCompare(pod: Pod): unknown {
  const { resourceVersion: _rv, generation: _g, managedFields: _mf, ...meta } = pod.metadata ?? {};
  return { ...pod, metadata: meta, status: undefined };
}

export class SchedulingQueue {
  private readonly clock: Clock;
  private readonly activeQ: KeyedHeap<QueuedPodInfo>;
  private readonly backoffQ: KeyedHeap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Pods a PreEnqueue plugin rejected (kept among the unschedulable ones). */
  private readonly gated = new Set<string>();
  private readonly nominated = new Map<string, { pod: Pod; nodeName: string }>();
  private readonly nominatedByNode = new Map<string, Map<string, Pod>>();
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly pluginEvents: Map<string, ClusterEvent[]>;
  private readonly preEnqueue?: (pod: Pod) => Status;
  private cycle = 0;
  private moveRequestCycle = -1;
  private waiters: ((p: QueuedPodInfo | undefined) => void)[] = [];
  private closed = false;

  constructor(opts: SchedulingQueueOptions) {
    this.clock = opts.clock;
    this.initialBackoffMs = opts.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
    this.maxBackoffMs = opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? DEFAULT_MAX_UNSCHEDULABLE_MS;
    this.pluginEvents = opts.pluginEvents ?? new Map();
    this.preEnqueue = opts.preEnqueue;
    const key = (p: QueuedPodInfo): string => podKey(p.pod);
    this.activeQ = new KeyedHeap(key, opts.less ?? prioritySortLess);
    this.backoffQ = new KeyedHeap(key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  /** The number of pods popped so far; a cycle's pod carries the cycle it was popped in. */
  schedulingCycle(): number {
    return this.cycle;
  }

  /** A new pending pod (or one seen again): straight to the active queue unless gated. */
  add(pod: Pod): void {
    const now = this.clock.now();
    const key = podKey(pod);
    if (this.activeQ.has(key) || this.backoffQ.has(key) || this.unschedulable.has(key)) {
      this.update(undefined, pod);
      return;
    }
    this.updateNominatedPod(pod);
    this.moveToActive({ pod, initialAttemptTimestamp: now, timestamp: now, attempts: 0, unschedulablePlugins: new Set() });
  }

  update(oldPod: Pod | undefined, pod: Pod): void {
    const key = podKey(pod);
    this.updateNominatedPod(pod);
    for (const q of [this.activeQ, this.backoffQ]) {
      const p = q.get(key);
      if (p) { q.push({ ...p, pod }); return; }
    }
    const u = this.unschedulable.get(key);
    if (!u) { this.add(pod); return; }
    const changed = !oldPod || JSON.stringify(stripForCompare(oldPod)) !== JSON.stringify(stripForCompare(pod));
    const info = { ...u, pod };
    if (!changed) { this.unschedulable.set(key, info); return; }
    // A pod whose spec changed may fit now: retry it (after its backoff, if still running).
    this.unschedulable.delete(key);
    this.gated.delete(key);
    if (this.isBackingOff(info)) this.backoffQ.push(info);
    else this.moveToActive(info);
  }

  delete(pod: Pod): void {
    const key = podKey(pod);
    this.activeQ.delete(key);
    this.backoffQ.delete(key);
    this.unschedulable.delete(key);
    this.gated.delete(key);
    this.deleteNominated(key);
  }

  /** The next pod to schedule; waits while the active queue is empty; undefined once closed. */
  pop(signal?: AbortSignal): Promise<QueuedPodInfo | undefined> {
    const p = this.activeQ.pop();
    if (p) return Promise.resolve(this.popped(p));
    if (this.closed || signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter = (info: QueuedPodInfo | undefined): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(info);
      };
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private popped(p: QueuedPodInfo): QueuedPodInfo {
    this.cycle++;
    p.attempts++;
    return p;
  }

  /**
   * A pod that failed its cycle. It waits in backoff if it failed with an error, or if a move
   * request came while it was being scheduled; otherwise among the unschedulable pods.
   */
  addUnschedulableIfNotPresent(info: QueuedPodInfo, podSchedulingCycle: number): void {
    const key = podKey(info.pod);
    if (this.activeQ.has(key) || this.backoffQ.has(key) || this.unschedulable.has(key)) return;
    info.timestamp = this.clock.now();
    if (info.unschedulablePlugins.size === 0 || this.moveRequestCycle >= podSchedulingCycle) this.backoffQ.push(info);
    else this.unschedulable.set(key, info);
  }

  /** A cluster event happened: pods it may help leave the unschedulable map. */
  moveAllToActiveOrBackoff(event: ClusterEvent, preCheck?: (pod: Pod) => boolean): void {
    const moved: QueuedPodInfo[] = [];
    for (const info of this.unschedulable.values()) {
      if (preCheck && !preCheck(info.pod)) continue;
      if (this.mayHelp(info, event)) moved.push(info);
    }
    this.movePods(moved);
    this.moveRequestCycle = this.cycle;
  }

  /** Unschedulable pods with required affinity may fit once a pod lands (Kubernetes narrows this to matching terms). */
  assignedPodAdded(_pod: Pod): void {
    this.moveAllToActiveOrBackoff(EVENT_ASSIGNED_POD_ADD);
  }

  assignedPodUpdated(_oldPod: Pod | undefined, _pod: Pod): void {
    this.moveAllToActiveOrBackoff(EVENT_ASSIGNED_POD_UPDATE);
  }

  private mayHelp(info: QueuedPodInfo, event: ClusterEvent): boolean {
    if (info.unschedulablePlugins.size === 0) return true;
    for (const plugin of info.unschedulablePlugins) {
      const regs = this.pluginEvents.get(plugin);
      if (!regs) return true;
      if (regs.some((r) => eventMatches(r, event))) return true;
    }
    return false;
  }

  private movePods(infos: QueuedPodInfo[]): void {
    for (const info of infos) {
      const key = podKey(info.pod);
      this.unschedulable.delete(key);
      this.gated.delete(key);
      if (this.isBackingOff(info)) this.backoffQ.push(info);
      else this.moveToActive(info);
    }
  }

  /** Moves pods whose backoff has expired into the active queue. */
  flushBackoffCompleted(): void {
    const now = this.clock.now();
    for (;;) {
      const p = this.backoffQ.peek();
      if (!p || this.backoffExpiry(p) > now) return;
      this.backoffQ.pop();
      this.moveToActive(p);
    }
  }

  /** Moves pods that have waited longer than the limit among the unschedulable ones. */
  flushUnschedulableLeftover(): void {
    const now = this.clock.now();
    const stale = [...this.unschedulable.values()].filter((p) => now - p.timestamp > this.maxUnschedulableMs);
    this.movePods(stale);
  }

  /** Runs the periodic flushes on the clock until the signal aborts; then closes the queue. */
  run(signal: AbortSignal): void {
    const every = (ms: number, fn: () => void): void => {
      const tick = (): void => {
        if (signal.aborted) return;
        fn();
        timer = this.clock.setTimeout(tick, ms);
      };
      let timer = this.clock.setTimeout(tick, ms);
      signal.addEventListener('abort', () => timer.cancel(), { once: true });
    };
    every(BACKOFF_FLUSH_MS, () => this.flushBackoffCompleted());
    every(UNSCHEDULABLE_FLUSH_MS, () => this.flushUnschedulableLeftover());
    signal.addEventListener('abort', () => this.close(), { once: true });
  }

  close(): void {
    this.closed = true;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w(undefined);
  }

  backoffDuration(info: QueuedPodInfo): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < info.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoffMs) return this.maxBackoffMs;
    }
    return Math.min(d, this.maxBackoffMs);
  }

  private backoffExpiry(info: QueuedPodInfo): number {
    return info.timestamp + this.backoffDuration(info);
  }

  private isBackingOff(info: QueuedPodInfo): boolean {
    return info.attempts > 0 && this.backoffExpiry(info) > this.clock.now();
  }

  private moveToActive(info: QueuedPodInfo): void {
    const key = podKey(info.pod);
    if (this.preEnqueue) {
      const st = this.preEnqueue(info.pod);
      if (!st.isSuccess()) {
        info.unschedulablePlugins = new Set(st.plugin ? [st.plugin] : []);
        this.unschedulable.set(key, info);
        this.gated.add(key);
        return;
      }
    }
    const w = this.waiters.shift();
    if (w) { w(this.popped(info)); return; }
    this.activeQ.push(info);
  }

  // --- nominated pods (preemption victims' beneficiaries) ---

  addNominatedPod(pod: Pod, nodeName: string): void {
    this.setNominated(podKey(pod), pod, nodeName);
  }

  deleteNominatedPodIfExists(pod: Pod): void {
    this.deleteNominated(podKey(pod));
  }

  private updateNominatedPod(pod: Pod): void {
    const key = podKey(pod);
    const n = this.nominated.get(key);
    const nodeName = pod.status?.nominatedNodeName || n?.nodeName;
    if (nodeName) this.setNominated(key, pod, nodeName);
  }

  // Filter asks for every node it checks, so the pods are also kept by node.
  private setNominated(key: string, pod: Pod, nodeName: string): void {
    const old = this.nominated.get(key);
    if (old && old.nodeName !== nodeName) this.nominatedByNode.get(old.nodeName)?.delete(key);
    this.nominated.set(key, { pod, nodeName });
    let onNode = this.nominatedByNode.get(nodeName);
    if (!onNode) this.nominatedByNode.set(nodeName, onNode = new Map());
    onNode.set(key, pod);
  }

  private deleteNominated(key: string): void {
    const old = this.nominated.get(key);
    if (!old) return;
    this.nominated.delete(key);
    const onNode = this.nominatedByNode.get(old.nodeName);
    onNode?.delete(key);
    if (onNode?.size === 0) this.nominatedByNode.delete(old.nodeName);
  }

  hasNominatedPods(): boolean {
    return this.nominated.size > 0;
  }

  nominatedPodsForNode(nodeName: string): Pod[] {
    const onNode = this.nominatedByNode.get(nodeName);
    return onNode ? [...onNode.values()] : [];
  }

  // --- introspection ---

  isGated(pod: Pod): boolean { return this.gated.has(podKey(pod)); }
  activePods(): Pod[] { return this.activeQ.list().map((p) => p.pod); }
  backoffPods(): Pod[] { return this.backoffQ.list().map((p) => p.pod); }
  unschedulablePods(): Pod[] { return [...this.unschedulable.values()].map((p) => p.pod); }
  pendingCount(): number { return this.activeQ.size + this.backoffQ.size + this.unschedulable.size; }
}
