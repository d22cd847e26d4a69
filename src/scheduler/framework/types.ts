// What plugins see of the cluster: nodes with their pods and requested resources, taken as one
// snapshot per scheduling cycle, plus the per-cycle state plugins pass themselves.
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';

/** Amounts in the units Kubernetes' scheduler uses: milli-CPU, bytes, counts. */
export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  allowedPodNumber: number;
  /** Extended resources (`example.com/gpu`, `hugepages-2Mi`), by name. */
  scalar: Record<string, number>;
}

export interface HostPort { ip: string; protocol: string; port: number }

export interface NodeInfo {
  readonly node: Node;
  readonly name: string;
  /** node.spec.unschedulable and node.spec.taints (empty when none), kept beside the node: Filter
   *  reads them for every node, and so need not reach into the Node object. */
  readonly unschedulable: boolean;
  readonly taints: Taint[];
  /** Pods bound or assumed to this node. */
  readonly pods: Pod[];
  /** Sum of the pods' requests (pod overhead and init containers as Kubernetes computes them). */
  readonly requested: Resource;
  /** As `requested`, with Kubernetes' non-zero defaults (100m CPU, 200Mi memory) for empty requests; for scoring. */
  readonly nonZeroRequested: Resource;
  readonly allocatable: Resource;
  readonly usedPorts: HostPort[];
  /** Pods on this node with (anti-)affinity terms; for InterPodAffinity. */
  readonly podsWithAffinity: Pod[];
  readonly podsWithRequiredAntiAffinity: Pod[];
  /** Image name → size in bytes, from node.status.images. */
  readonly imageSizes: Map<string, number>;
}

export interface NodeInfoLister {
  list(): NodeInfo[];
  get(name: string): NodeInfo | undefined;
  havePodsWithAffinity(): NodeInfo[];
  havePodsWithRequiredAntiAffinity(): NodeInfo[];
  /** How many of the listed nodes hold the image (by any of its names), when the lister keeps count. */
  imageNodeCount?(image: string): number;
}

/** Per-cycle scratch space: PreFilter/PreScore results read back by Filter/Score. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  read<T>(key: string): T | undefined { return this.data.get(key) as T | undefined; }
  write(key: string, value: unknown): void { this.data.set(key, value); }
  delete(key: string): void { this.data.delete(key); }
  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, v);
    return c;
  }
}

export interface NodeScore { name: string; score: number }

export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;
