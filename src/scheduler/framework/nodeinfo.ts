// How much a pod asks of a node and what a node holds, computed as kube-scheduler does: the pod's
// effective request is max(sum of containers, largest init container) with sidecars (restartable
// init containers) counted alongside everything started after them, plus the pod overhead.
import type { Container, Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../apimachinery/quantity.js';
import type { HostPort, NodeInfo, Resource } from './types.js';

/** Defaults the scheduler assumes for containers that request no CPU or memory (for scoring only). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: {} };
}

export function cloneResource(r: Resource): Resource {
  return { ...r, scalar: { ...r.scalar } };
}

// The same few quantity strings ("100m", "500Mi") come up for every pod: parse each once.
const MEMO_LIMIT = 4096;
const milliMemo = new Map<string, number>();
const valueMemo = new Map<string, number>();

function quantityValue(name: string, v: unknown): number {
  const text = String(v);
  const milli = name === 'cpu';
  const memo = milli ? milliMemo : valueMemo;
  let n = memo.get(text);
  if (n === undefined) {
    const q = parseQuantity(text);
    n = milli ? q.milliValue() : q.value();
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, n);
  }
  return n;
}

/** A ResourceList (`{cpu: "2", memory: "4Gi", pods: "110", "example.com/gpu": "1"}`) as a Resource. */
export function resourceFromList(list: Record<string, unknown> | undefined): Resource {
  const r = emptyResource();
  for (const [name, v] of Object.entries(list ?? {})) addToResource(r, name, v);
  return r;
}

/** Adds one ResourceList entry (`cpu: "500m"`) to `into`; absent values add nothing. */
function addToResource(into: Resource, name: string, v: unknown): void {
  if (v === undefined || v === null) return;
  const n = quantityValue(name, v);
  switch (name) {
    case 'cpu': into.milliCPU += n; break;
    case 'memory': into.memory += n; break;
    case 'ephemeral-storage': into.ephemeralStorage += n; break;
    case 'pods': into.allowedPodNumber += n; break;
    default: into.scalar[name] = (into.scalar[name] ?? 0) + n;
  }
}

export function addResource(into: Resource, r: Resource, sign = 1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  into.allowedPodNumber += sign * r.allowedPodNumber;
  // for…in rather than Object.entries: no arrays made on this hot path (scalar is a plain record).
  for (const k in r.scalar) {
    const n = (into.scalar[k] ?? 0) + sign * r.scalar[k]!;
    if (n === 0 && sign < 0) delete into.scalar[k];
    else into.scalar[k] = n;
  }
}

function maxResource(into: Resource, r: Resource): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  into.allowedPodNumber = Math.max(into.allowedPodNumber, r.allowedPodNumber);
  for (const [k, v] of Object.entries(r.scalar)) into.scalar[k] = Math.max(into.scalar[k] ?? 0, v);
}

function sumResources(a: Resource, b: Resource): Resource {
  const r = cloneResource(a);
  addResource(r, b);
  return r;
}

function containerRequests(c: Container, nonZero: boolean): Resource {
  const req = (c.resources?.requests ?? {}) as Record<string, unknown>;
  const r = resourceFromList(req);
  if (nonZero) {
    if (req.cpu === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (req.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

function isSidecar(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

/** Adds one container's requests to `into` (no Resource of its own: this runs for every pod seen). */
function addContainerRequests(into: Resource, c: Container, nonZero: boolean): void {
  const req = c.resources?.requests as Record<string, unknown> | undefined;
  if (req) {
    for (const name in req) addToResource(into, name, req[name]);
  }
  if (nonZero) {
    if (req?.cpu === undefined) into.milliCPU += DEFAULT_MILLI_CPU_REQUEST;
    if (req?.memory === undefined) into.memory += DEFAULT_MEMORY_REQUEST;
  }
}

function computeRequests(pod: Pod, nonZero: boolean): Resource {
  const reqs = emptyResource();
  for (const c of pod.spec?.containers ?? []) addContainerRequests(reqs, c, nonZero);
  // Sidecars run alongside later init containers and all regular containers; a plain init
  // container runs alone except for the sidecars started before it.
  const inits = pod.spec?.initContainers;
  if (inits && inits.length > 0) {
    const sidecars = emptyResource();
    const initMax = emptyResource();
    for (const c of inits) {
      const r = containerRequests(c, nonZero);
      if (isSidecar(c)) {
        addResource(reqs, r);
        addResource(sidecars, r);
        maxResource(initMax, sidecars);
      } else {
        maxResource(initMax, sumResources(r, sidecars));
      }
    }
    maxResource(reqs, initMax);
  }
  const overhead = pod.spec?.overhead as Record<string, unknown> | undefined;
  if (overhead) addResource(reqs, resourceFromList(overhead));
  return reqs;
}

// Pods are not changed in place (updates arrive as new objects), so a pod's requests are
// computed once: NodeInfos add and remove the same pods many times over (snapshots, preemption's
// what-ifs). Callers get copies they may change.
const requestsMemo = new WeakMap<Pod, Resource>();
const nonZeroMemo = new WeakMap<Pod, Resource>();

function memoized(memo: WeakMap<Pod, Resource>, pod: Pod, nonZero: boolean): Resource {
  let r = memo.get(pod);
  if (!r) {
    r = computeRequests(pod, nonZero);
    memo.set(pod, r);
  }
  return r;
}

/** The pod's effective requests (Kubernetes' PodRequests); allowedPodNumber stays 0. */
export function podRequests(pod: Pod): Resource {
  return cloneResource(memoized(requestsMemo, pod, false));
}

/** As podRequests, with 100m CPU / 200Mi memory for containers that request none (for scoring). */
export function nonZeroRequests(pod: Pod): Resource {
  return cloneResource(memoized(nonZeroMemo, pod, true));
}

export function podHostPorts(pod: Pod): HostPort[] {
  const ports: HostPort[] = [];
  const containers = [...(pod.spec?.initContainers ?? []).filter(isSidecar), ...(pod.spec?.containers ?? [])];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      ports.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return ports;
}

export function hasAffinity(pod: Pod): boolean {
  const a = pod.spec?.affinity;
  return !!(a && (a.podAffinity || a.podAntiAffinity));
}

export function hasRequiredAntiAffinity(pod: Pod): boolean {
  return (pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
}

/** A pod's identity in a NodeInfo: its uid, or namespace/name when it has none. */
export function podKey(pod: Pod): string {
  return pod.metadata?.uid || `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

function imageSizes(node: Node): Map<string, number> {
  const m = new Map<string, number>();
  for (const img of node.status?.images ?? []) {
    for (const name of img.names ?? []) m.set(name, img.sizeBytes ?? 0);
  }
  return m;
}

// Shared by every untainted node; never changed.
const NO_TAINTS: Taint[] = [];

let generationCounter = 0;
/** A process-wide, increasing generation: every change to a NodeInfo takes the next one. */
export function nextGeneration(): number {
  return ++generationCounter;
}

/** A NodeInfo the cache changes in place; snapshots take clones. */
export class MutableNodeInfo implements NodeInfo {
  node: Node;
  pods: Pod[] = [];
  requested: Resource = emptyResource();
  nonZeroRequested: Resource = emptyResource();
  allocatable: Resource;
  usedPorts: HostPort[] = [];
  podsWithAffinity: Pod[] = [];
  podsWithRequiredAntiAffinity: Pod[] = [];
  imageSizes: Map<string, number>;
  generation = nextGeneration();
  /** The node's name, kept beside it: every Filter and Score call reads it. */
  name: string;
  unschedulable: boolean;
  taints: Taint[];

  constructor(node: Node, pods: Pod[] = []) {
    this.node = node;
    this.name = node.metadata?.name ?? '';
    this.unschedulable = !!node.spec?.unschedulable;
    this.taints = node.spec?.taints ?? NO_TAINTS;
    this.allocatable = resourceFromList(node.status?.allocatable as Record<string, unknown> | undefined);
    this.imageSizes = imageSizes(node);
    for (const p of pods) this.addPod(p);
  }

  setNode(node: Node): void {
    this.node = node;
    this.name = node.metadata?.name ?? '';
    this.unschedulable = !!node.spec?.unschedulable;
    this.taints = node.spec?.taints ?? NO_TAINTS;
    this.allocatable = resourceFromList(node.status?.allocatable as Record<string, unknown> | undefined);
    this.imageSizes = imageSizes(node);
    this.generation = nextGeneration();
  }

  addPod(pod: Pod): void {
    this.pods.push(pod);
    let req = memoized(requestsMemo, pod, false);
    if (req.allowedPodNumber !== 0) req = { ...req, allowedPodNumber: 0 };
    addResource(this.requested, req);
    addResource(this.nonZeroRequested, memoized(nonZeroMemo, pod, true));
    this.usedPorts.push(...podHostPorts(pod));
    if (hasAffinity(pod)) this.podsWithAffinity.push(pod);
    if (hasRequiredAntiAffinity(pod)) this.podsWithRequiredAntiAffinity.push(pod);
    this.generation = nextGeneration();
  }

  /** Removes the pod with this pod's key; false if it was not here. */
  removePod(pod: Pod): boolean {
    const key = podKey(pod);
    const i = this.pods.findIndex((p) => podKey(p) === key);
    if (i < 0) return false;
    const old = this.pods[i];
    this.pods.splice(i, 1);
    addResource(this.requested, memoized(requestsMemo, old, false), -1);
    addResource(this.nonZeroRequested, memoized(nonZeroMemo, old, true), -1);
    for (const hp of podHostPorts(old)) {
      const j = this.usedPorts.findIndex((u) => u.ip === hp.ip && u.protocol === hp.protocol && u.port === hp.port);
      if (j >= 0) this.usedPorts.splice(j, 1);
    }
    this.podsWithAffinity = this.podsWithAffinity.filter((p) => podKey(p) !== key);
    this.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity.filter((p) => podKey(p) !== key);
    this.generation = nextGeneration();
    return true;
  }

  /** A copy that later changes to this one do not affect. */
  clone(): MutableNodeInfo {
    const c = Object.create(MutableNodeInfo.prototype) as MutableNodeInfo;
    c.node = this.node;
    c.pods = [...this.pods];
    c.requested = cloneResource(this.requested);
    c.nonZeroRequested = cloneResource(this.nonZeroRequested);
    // Never changed in place (setNode replaces it), so clones share it.
    c.allocatable = this.allocatable;
    c.usedPorts = [...this.usedPorts];
    c.podsWithAffinity = [...this.podsWithAffinity];
    c.podsWithRequiredAntiAffinity = [...this.podsWithRequiredAntiAffinity];
    c.imageSizes = this.imageSizes;
    c.generation = this.generation;
    c.name = this.name;
    c.unschedulable = this.unschedulable;
    c.taints = this.taints;
    return c;
  }
}

/** A NodeInfo for the node holding these pods (for plugin tests and snapshots). */
export function newNodeInfo(node: Node, pods: Pod[] = []): MutableNodeInfo {
  return new MutableNodeInfo(node, pods);
}
