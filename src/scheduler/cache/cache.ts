// The scheduler's view of nodes and the pods on them: bound pods from the informers plus pods it
// has assumed onto a node between Reserve and the informer seeing the binding. An assumed pod
// whose binding finished but never shows up bound expires, so a lost bind cannot leak capacity.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import { MutableNodeInfo, podKey } from '../framework/nodeinfo.js';
import { Snapshot } from './snapshot.js';

/** How long an assumed pod may wait for its binding to show up after Bind returned. */
export const DEFAULT_ASSUMED_POD_TTL_MS = 30_000;
/** How often expired assumed pods are swept. */
export const CLEANUP_PERIOD_MS = 1_000;

interface PodState {
  pod: Pod;
  nodeName: string;
  assumed: boolean;
  /** Set by finishBinding: the assumed pod expires at this time (ms). */
  deadline?: number;
}

interface NodeEntry {
  info: MutableNodeInfo;
  /** False while pods name a node the cache has not seen (or no longer has). */
  hasNode: boolean;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeEntry>();
  /** Names of real nodes, in the order they were added. */
  private order: string[] = [];
  private readonly pods = new Map<string, PodState>();
  private readonly dirty = new Set<string>();
  private membershipChanged = true;
  private readonly snap = new Snapshot();

  constructor(private readonly clock: Clock, private readonly assumedPodTTLMs = DEFAULT_ASSUMED_POD_TTL_MS) {}

  // --- nodes ---

  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const e = this.nodes.get(name);
    if (e) {
      e.info.setNode(node);
      if (!e.hasNode) { e.hasNode = true; this.order.push(name); this.membershipChanged = true; }
    } else {
      this.nodes.set(name, { info: new MutableNodeInfo(node), hasNode: true });
      this.order.push(name);
      this.membershipChanged = true;
    }
    this.dirty.add(name);
  }

  updateNode(_old: Node | undefined, node: Node): void {
    this.addNode(node);
  }

  removeNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const e = this.nodes.get(name);
    if (!e || !e.hasNode) return;
    e.hasNode = false;
    this.order = this.order.filter((n) => n !== name);
    this.membershipChanged = true;
    // Pods still bound there keep their entry until they are deleted too.
    if (e.info.pods.length === 0) this.nodes.delete(name);
    this.dirty.add(name);
  }

  nodeCount(): number {
    return this.order.length;
  }

  // --- pods ---

  /** A pod the informer reports bound (spec.nodeName set); confirms an assumed pod. */
  addPod(pod: Pod): void {
    const key = podKey(pod);
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const st = this.pods.get(key);
    if (st) this.removeFromNode(st);
    this.pods.set(key, { pod, nodeName, assumed: false });
    this.addToNode(pod, nodeName);
  }

  updatePod(_old: Pod | undefined, pod: Pod): void {
    const st = this.pods.get(podKey(pod));
    // Updates of a pod still assumed (not yet seen bound) keep the assumption.
    if (st?.assumed && !pod.spec?.nodeName) return;
    this.addPod(pod);
  }

  removePod(pod: Pod): void {
    const key = podKey(pod);
    const st = this.pods.get(key);
    if (!st) return;
    this.removeFromNode(st);
    this.pods.delete(key);
  }

  /** Places the pod on the node until its binding is seen (or forgotten, or expired). */
  assume(pod: Pod, nodeName: string): void {
    const key = podKey(pod);
    if (this.pods.has(key)) throw new Error(`pod ${key} is already in the cache`);
    const assumed: Pod = { ...pod, spec: { ...pod.spec!, nodeName } };
    this.pods.set(key, { pod: assumed, nodeName, assumed: true });
    this.addToNode(assumed, nodeName);
  }

  /** Bind returned: the binding should show up soon; expire the assumption if it does not. */
  finishBinding(pod: Pod): void {
    const st = this.pods.get(podKey(pod));
    if (st?.assumed) st.deadline = this.clock.now() + this.assumedPodTTLMs;
  }

  /** Scheduling or binding failed: drop the assumption. */
  forget(pod: Pod): void {
    const key = podKey(pod);
    const st = this.pods.get(key);
    if (!st?.assumed) return;
    this.removeFromNode(st);
    this.pods.delete(key);
  }

  isAssumed(pod: Pod): boolean {
    return this.pods.get(podKey(pod))?.assumed ?? false;
  }

  getPod(pod: Pod): Pod | undefined {
    return this.pods.get(podKey(pod))?.pod;
  }

  podCount(): number {
    return this.pods.size;
  }

  /** Drops assumed pods whose binding finished more than the TTL ago and never showed up. */
  cleanupExpired(now = this.clock.now()): Pod[] {
    const expired: Pod[] = [];
    for (const [key, st] of this.pods) {
      if (st.assumed && st.deadline !== undefined && st.deadline <= now) {
        this.removeFromNode(st);
        this.pods.delete(key);
        expired.push(st.pod);
      }
    }
    return expired;
  }

  /** Sweeps expired assumed pods every second of the clock until the signal aborts. */
  runCleanup(signal: AbortSignal, onExpired?: (pod: Pod) => void): void {
    const tick = (): void => {
      if (signal.aborted) return;
      for (const p of this.cleanupExpired()) onExpired?.(p);
      timer = this.clock.setTimeout(tick, CLEANUP_PERIOD_MS);
    };
    let timer = this.clock.setTimeout(tick, CLEANUP_PERIOD_MS);
    signal.addEventListener('abort', () => timer.cancel(), { once: true });
  }

  // --- snapshot ---

  /** The snapshot for the next cycle, refreshed in place: only changed nodes are cloned. */
  snapshot(): Snapshot {
    const s = this.snap;
    let affinityChanged = false;
    let replaced = true;
    for (const name of this.dirty) {
      const e = this.nodes.get(name);
      const before = s.byName.get(name);
      if (before && (before.podsWithAffinity.length > 0 || before.podsWithRequiredAntiAffinity.length > 0)) affinityChanged = true;
      if (e?.hasNode) {
        const c = e.info.clone();
        if (c.podsWithAffinity.length > 0 || c.podsWithRequiredAntiAffinity.length > 0) affinityChanged = true;
        if (!this.membershipChanged && s.replace(c)) continue;
        s.byName.set(name, c);
        replaced = false;
      } else {
        s.byName.delete(name);
        replaced = false;
      }
    }
    if (this.membershipChanged || !replaced) s.relist(this.order);
    else if (affinityChanged) s.refilter();
    for (const name of this.dirty) s.generation = Math.max(s.generation, this.nodes.get(name)?.info.generation ?? 0);
    this.dirty.clear();
    this.membershipChanged = false;
    return s;
  }

  private addToNode(pod: Pod, nodeName: string): void {
    let e = this.nodes.get(nodeName);
    if (!e) {
      e = { info: new MutableNodeInfo({ metadata: { name: nodeName } }), hasNode: false };
      this.nodes.set(nodeName, e);
    }
    e.info.addPod(pod);
    this.dirty.add(nodeName);
  }

  private removeFromNode(st: PodState): void {
    const e = this.nodes.get(st.nodeName);
    if (!e) return;
    e.info.removePod(st.pod);
    if (!e.hasNode && e.info.pods.length === 0) this.nodes.delete(st.nodeName);
    this.dirty.add(st.nodeName);
  }
}
