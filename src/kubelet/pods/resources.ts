// Requests and limits as cgroup v1 settings, as the kubelet computes them: cpu shares from the
// request, a CFS quota over a 100 ms period from the limit, the memory limit in bytes, and the
// OOM score adjustment by QoS class. Pods get a cgroup per QoS class (cgroupfs driver).
import type { Container, Pod, ResourceRequirements } from 'kubernetes-types/core/v1.js';
import { podQOSClass } from '../../api/resources/core/pod.js';
import { readQuantity } from '../../api/resources/core/quantities.js';
import type { LinuxContainerResources } from '../cri/types.js';

export const CPU_PERIOD_US = 100_000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;
const MIN_QUOTA_US = 1000;
export const GUARANTEED_OOM_SCORE_ADJ = -997;
export const BEST_EFFORT_OOM_SCORE_ADJ = 1000;

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

export function qosClass(pod: Pod): QOSClass {
  return podQOSClass(pod.spec ?? { containers: [] });
}

const milli = (v: string | number | undefined): number => readQuantity(v)?.milliValue() ?? 0;
const bytes = (v: string | number | undefined): number => readQuantity(v)?.value() ?? 0;

export function milliCPUToShares(m: number): number {
  if (m === 0) return MIN_SHARES;
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((m * 1024) / 1000)));
}

export function milliCPUToQuota(m: number, periodUs = CPU_PERIOD_US): number {
  if (m === 0) return 0;
  return Math.max(MIN_QUOTA_US, Math.floor((m * periodUs) / 1000));
}

/** The cgroup settings of requests and limits. */
export function linuxResources(r: ResourceRequirements | undefined): LinuxContainerResources {
  const reqCpu = milli(r?.requests?.cpu);
  const limCpu = milli(r?.limits?.cpu);
  return {
    cpuShares: milliCPUToShares(reqCpu === 0 && limCpu !== 0 ? limCpu : reqCpu),
    cpuPeriod: CPU_PERIOD_US,
    cpuQuota: milliCPUToQuota(limCpu),
    memoryLimitInBytes: bytes(r?.limits?.memory),
    oomScoreAdj: 0,
    cpusetCpus: '',
    cpusetMems: '',
    hugepageLimits: [],
    unified: {},
    memorySwapLimitInBytes: 0,
  };
}

/** Burstable containers score by their share of the machine's memory, kept within [2, 999]. */
export function oomScoreAdj(pod: Pod, container: Container, machineMemoryBytes: number): number {
  const qos = qosClass(pod);
  if (qos === 'Guaranteed') return GUARANTEED_OOM_SCORE_ADJ;
  if (qos === 'BestEffort') return BEST_EFFORT_OOM_SCORE_ADJ;
  const req = bytes(container.resources?.requests?.memory);
  const adj = machineMemoryBytes > 0 ? 1000 - Math.floor((1000 * req) / machineMemoryBytes) : 1000;
  return Math.min(999, Math.max(2, adj));
}

export function containerResources(pod: Pod, container: Container, machineMemoryBytes: number): LinuxContainerResources {
  return { ...linuxResources(container.resources), oomScoreAdj: oomScoreAdj(pod, container, machineMemoryBytes) };
}

/** The pod's effective requests and limits: the larger of the init containers' and the sum of the others', plus overhead. */
export function podResources(pod: Pod): ResourceRequirements {
  const spec = pod.spec ?? { containers: [] };
  const sum = (field: 'requests' | 'limits', r: string, unit: (v: string | number | undefined) => number) => {
    const cs = spec.containers.map((c) => unit(c.resources?.[field]?.[r]));
    if (field === 'limits' && cs.some((v) => v === 0)) return 0; // one unlimited container: the pod is unlimited
    const regular = cs.reduce((a, b) => a + b, 0);
    const init = Math.max(0, ...(spec.initContainers ?? []).map((c) => unit(c.resources?.[field]?.[r])));
    const overhead = unit(spec.overhead?.[r]);
    return Math.max(regular, init) + (regular || init ? overhead : 0);
  };
  const out: ResourceRequirements = { requests: {}, limits: {} };
  for (const field of ['requests', 'limits'] as const) {
    const cpu = sum(field, 'cpu', milli);
    const mem = sum(field, 'memory', bytes);
    if (cpu) out[field]!.cpu = `${cpu}m`;
    if (mem) out[field]!.memory = String(mem);
  }
  return out;
}

/** `/kubepods/pod<uid>`, `/kubepods/burstable/pod<uid>`, `/kubepods/besteffort/pod<uid>`. */
export function podCgroupParent(pod: Pod, root = '/kubepods'): string {
  const qos = qosClass(pod);
  const uid = pod.metadata?.uid ?? '';
  return qos === 'Guaranteed' ? `${root}/pod${uid}` : `${root}/${qos.toLowerCase()}/pod${uid}`;
}
