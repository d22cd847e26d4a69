// The Node objects simulated nodes register: what they are (name, labels, taints, capacity) and
// the status a healthy kubelet would post for them.
import { createHash } from 'node:crypto';
import type { Taint } from 'kubernetes-types/core/v1.js';
import { formatTime } from '../../apimachinery/duration.js';
import { nodeInternalIP, podRangePrefix } from './addresses.js';
import type { Node } from './types.js';

export const KUBELET_VERSION = 'v1.32.0-kite-sim';
export const CONTAINER_RUNTIME_VERSION = 'sim://0.1';
/** Label every simulated node carries, as kwok's `type=kwok`. */
export const SIMULATED_NODE_LABEL = 'type';
export const SIMULATED_NODE_LABEL_VALUE = 'kite-sim';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const INSTANCE_TYPE = 'kite-sim.standard';

export interface NodeCapacity {
  cpu: string;
  memory: string;
  pods: string;
  'ephemeral-storage': string;
}

export const defaultCapacity: NodeCapacity = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '1Ti' };

/** One simulated node as asked for. */
export interface NodeSpec {
  name: string;
  capacity?: Partial<NodeCapacity>;
  labels?: Record<string, string>;
  /** Sets topology.kubernetes.io/zone. */
  zone?: string;
  taints?: Taint[];
}

/** Many alike nodes: `<namePrefix><i>`, zones handed out round-robin. */
export interface NodeFleet {
  count: number;
  /** Default `kite-sim-`. */
  namePrefix?: string;
  capacity?: Partial<NodeCapacity>;
  zones?: string[];
  labels?: Record<string, string>;
}

export function expandNodes(nodes: NodeSpec[] | NodeFleet): NodeSpec[] {
  if (Array.isArray(nodes)) return nodes;
  const prefix = nodes.namePrefix ?? 'kite-sim-';
  const zones = nodes.zones ?? [];
  const out: NodeSpec[] = [];
  for (let i = 0; i < nodes.count; i++) {
    out.push({
      name: `${prefix}${i}`,
      ...(nodes.capacity ? { capacity: nodes.capacity } : {}),
      ...(nodes.labels ? { labels: nodes.labels } : {}),
      ...(zones.length ? { zone: zones[i % zones.length]! } : {}),
    });
  }
  return out;
}

/** Stable per-name identifiers in the shapes the kubelet reports (hex machine ID, UUIDs). */
function ids(name: string): { machineID: string; systemUUID: string; bootID: string } {
  const h = createHash('sha256').update(`kite-sim/${name}`).digest('hex');
  const uuid = (s: string) => `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
  return { machineID: h.slice(0, 32), systemUUID: uuid(h.slice(32, 64)), bootID: uuid(h.slice(16, 48)) };
}

export function nodeLabels(spec: NodeSpec): Record<string, string> {
  return {
    ...spec.labels,
    'kubernetes.io/hostname': spec.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'node.kubernetes.io/instance-type': INSTANCE_TYPE,
    [SIMULATED_NODE_LABEL]: SIMULATED_NODE_LABEL_VALUE,
    ...(spec.zone ? { [ZONE_LABEL]: spec.zone } : {}),
  };
}

/** The status a healthy kubelet posts, with heartbeats at `now`. */
export function nodeStatus(spec: NodeSpec, index: number, now: number): NonNullable<Node['status']> {
  const t = formatTime(now);
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type, status, reason, message, lastHeartbeatTime: t, lastTransitionTime: t,
  });
  const resources = { ...defaultCapacity, ...spec.capacity };
  const ip = nodeInternalIP(index);
  return {
    capacity: { ...resources },
    allocatable: { ...resources },
    conditions: [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: spec.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      ...ids(spec.name),
      kernelVersion: '6.1.0-kite-sim',
      osImage: 'Kite Simulated Node',
      containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** The Node to create, status included (a Node may carry its status from creation on). */
export function nodeManifest(spec: NodeSpec, index: number, now: number): Node {
  const cidr = `${podRangePrefix(index)}.0/24`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: spec.name, labels: nodeLabels(spec) },
    spec: { podCIDR: cidr, podCIDRs: [cidr], ...(spec.taints?.length ? { taints: spec.taints } : {}) },
    status: nodeStatus(spec, index, now),
  };
}
