// The scheduling benchmark's workloads, after kube-scheduler's scheduler_perf: the nodes, the
// pods already placed before measuring ("init" pods, created bound round-robin), and the
// measured pods the scheduler has to place.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';

export const NAMESPACE = 'sched-bench';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
export const MEASURED_PREFIX = 'pod-';

export interface Workload {
  name: string;
  description: string;
  /** Default sizes (the first is used unless --nodes/--pods say otherwise). */
  nodes: number;
  initPods: number;
  pods: number;
  /** Needs the DefaultPreemption plugin. */
  needsPreemption?: boolean;
  /** PriorityClasses to create first (name → value). */
  priorityClasses?: Record<string, number>;
  node(i: number): Node;
  initPod(i: number, nodeName: string): Pod;
  pod(i: number): Pod;
}

/** scheduler_perf's node-default: 4 CPUs, 32Gi, 110 pods. */
export function benchNode(i: number, labels: Record<string, string> = {}): Node {
  const name = `node-${i}`;
  const capacity = { cpu: '4', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { [HOSTNAME_LABEL]: name, ...labels } },
    status: {
      capacity, allocatable: capacity,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'simulated' }],
      phase: 'Running',
    },
  };
}

/** scheduler_perf's pod-default: one container asking 100m CPU and 500Mi. */
export function benchPod(name: string, extra: { labels?: Record<string, string>; spec?: Partial<NonNullable<Pod['spec']>>; cpu?: string } = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: NAMESPACE, labels: { app: 'bench', ...extra.labels } },
    spec: {
      containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: extra.cpu ?? '100m', memory: '500Mi' } } }],
      ...extra.spec,
    },
  };
}

const bound = (p: Pod, nodeName: string): Pod => ({ ...p, spec: { ...p.spec!, nodeName } });
const zones = ['zone1', 'zone2', 'zone3'];

const antiAffinity = (required: boolean): Partial<NonNullable<Pod['spec']>> => {
  const term = { labelSelector: { matchLabels: { color: 'green' } }, topologyKey: HOSTNAME_LABEL };
  return {
    affinity: {
      podAntiAffinity: required
        ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
        : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: term }] },
    },
  };
};

const spread: Partial<NonNullable<Pod['spec']>> = {
  topologySpreadConstraints: [{
    maxSkew: 1, topologyKey: ZONE_LABEL, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { color: 'blue' } },
  }],
};

export const workloads: Record<string, Workload> = {
  basic: {
    name: 'basic', description: 'requests only (SchedulingBasic)',
    nodes: 5000, initPods: 0, pods: 10000,
    node: (i) => benchNode(i),
    initPod: (i, n) => bound(benchPod(`init-${i}`), n),
    pod: (i) => benchPod(`${MEASURED_PREFIX}${i}`),
  },
  'node-affinity': {
    name: 'node-affinity', description: 'required node affinity on a zone label two thirds of the nodes carry (SchedulingNodeAffinity)',
    nodes: 1000, initPods: 0, pods: 3000,
    node: (i) => benchNode(i, { [ZONE_LABEL]: zones[i % 3]! }),
    initPod: (i, n) => bound(benchPod(`init-${i}`), n),
    pod: (i) => benchPod(`${MEASURED_PREFIX}${i}`, {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE_LABEL, operator: 'In', values: ['zone1', 'zone2'] }] }],
            },
          },
        },
      },
    }),
  },
  'anti-affinity': {
    name: 'anti-affinity', description: 'required pod anti-affinity per host, one such pod a node (SchedulingPodAntiAffinity)',
    nodes: 1000, initPods: 200, pods: 700,
    node: (i) => benchNode(i),
    initPod: (i, n) => bound(benchPod(`init-${i}`, { labels: { color: 'green' }, spec: antiAffinity(true) }), n),
    pod: (i) => benchPod(`${MEASURED_PREFIX}${i}`, { labels: { color: 'green' }, spec: antiAffinity(true) }),
  },
  'preferred-anti-affinity': {
    name: 'preferred-anti-affinity', description: 'preferred pod anti-affinity per host (SchedulingPreferredPodAntiAffinity)',
    nodes: 1000, initPods: 500, pods: 2000,
    node: (i) => benchNode(i),
    initPod: (i, n) => bound(benchPod(`init-${i}`, { labels: { color: 'green' }, spec: antiAffinity(false) }), n),
    pod: (i) => benchPod(`${MEASURED_PREFIX}${i}`, { labels: { color: 'green' }, spec: antiAffinity(false) }),
  },
  'topology-spread': {
    name: 'topology-spread', description: 'DoNotSchedule spread over 3 zones, maxSkew 1 (TopologySpreading)',
    nodes: 1000, initPods: 1000, pods: 3000,
    node: (i) => benchNode(i, { [ZONE_LABEL]: zones[i % 3]! }),
    initPod: (i, n) => bound(benchPod(`init-${i}`, { labels: { color: 'blue' } }), n),
    pod: (i) => benchPod(`${MEASURED_PREFIX}${i}`, { labels: { color: 'blue' }, spec: spread }),
  },
  preemption: {
    name: 'preemption', description: 'low-priority pods fill the nodes, high-priority pods preempt them (PreemptionBasic)',
    nodes: 500, initPods: 2000, pods: 500, needsPreemption: true, priorityClasses: { 'bench-low': 1, 'bench-high': 10 },
    node: (i) => benchNode(i),
    initPod: (i, n) => bound(benchPod(`init-${i}`, { cpu: '900m', spec: { priorityClassName: 'bench-low' } }), n),
    pod: (i) => benchPod(`${MEASURED_PREFIX}${i}`, { cpu: '3', spec: { priorityClassName: 'bench-high' } }),
  },
};

export interface Case { workload: string; nodes: number; initPods: number; pods: number }

/** The default run: basic at 5,000 and 500 nodes, the others at their scheduler_perf-like sizes. */
export function defaultCases(): Case[] {
  const c = (name: string, over: Partial<Case> = {}): Case => {
    const w = workloads[name]!;
    return { workload: name, nodes: w.nodes, initPods: w.initPods, pods: w.pods, ...over };
  };
  return [c('basic'), c('basic', { nodes: 500 }), c('node-affinity'), c('anti-affinity'), c('topology-spread'), c('preemption')];
}
