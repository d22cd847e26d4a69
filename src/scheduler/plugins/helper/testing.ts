// Fixtures for plugin tests: nodes and pods with just the fields the scheduler reads.
import type { Container, Node, NodeAffinity, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { Handle } from '../../framework/interface.js';
import type { NodeInfo, NodeInfoLister } from '../../framework/types.js';

export interface NodeOptions {
  labels?: Record<string, string>;
  allocatable?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  /** Image names (one entry per image) → size in bytes. */
  images?: Record<string, number>;
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: o.allocatable ?? { cpu: '4', memory: '8Gi', pods: '110' },
      images: Object.entries(o.images ?? {}).map(([n, sizeBytes]) => ({ names: [n], sizeBytes })),
    },
  };
}

export interface PodOptions {
  node?: string;
  priority?: number;
  requests?: Record<string, string>[];
  images?: string[];
  hostPorts?: { port: number; ip?: string; protocol?: string }[];
  tolerations?: Toleration[];
  nodeSelector?: Record<string, string>;
  nodeAffinity?: NodeAffinity;
}

export function makePod(name: string, o: PodOptions = {}): Pod {
  const count = Math.max(o.requests?.length ?? 0, o.images?.length ?? 0, 1);
  const containers: Container[] = [];
  for (let i = 0; i < count; i++) {
    const c: Container = { name: `c${i}`, image: o.images?.[i] ?? 'pause:3.9' };
    if (o.requests?.[i]) c.resources = { requests: o.requests[i] };
    containers.push(c);
  }
  if (o.hostPorts) {
    containers[0]!.ports = o.hostPorts.map((p) => ({ containerPort: p.port, hostPort: p.port, ...(p.ip ? { hostIP: p.ip } : {}), ...(p.protocol ? { protocol: p.protocol } : {}) }));
  }
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: {
      containers,
      ...(o.node ? { nodeName: o.node } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.nodeAffinity ? { affinity: { nodeAffinity: o.nodeAffinity } } : {}),
    },
  };
}

export function lister(nodes: NodeInfo[]): NodeInfoLister {
  return {
    list: () => nodes,
    get: (name) => nodes.find((n) => n.name === name),
    havePodsWithAffinity: () => nodes.filter((n) => n.podsWithAffinity.length > 0),
    havePodsWithRequiredAntiAffinity: () => nodes.filter((n) => n.podsWithRequiredAntiAffinity.length > 0),
  };
}

/** A Handle with only a snapshot; other members throw if a plugin under test reaches for them. */
export function snapshotHandle(nodes: NodeInfo[]): Handle {
  const missing = (what: string) => { throw new Error(`test handle has no ${what}`); };
  return {
    snapshot: () => lister(nodes),
    get client() { return missing('client'); },
    get clock() { return missing('clock'); },
    get logger() { return missing('logger'); },
    get recorder() { return missing('recorder'); },
    get nominator() { return missing('nominator'); },
    get runner() { return missing('runner'); },
    getWaitingPod: () => missing('waiting pods'),
  } as Handle;
}
