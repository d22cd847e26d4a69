// Node capacity and allocatable as the kubelet computes them: capacity from the machine,
// allocatable = capacity - kube-reserved - system-reserved - the hard eviction threshold, never
// below zero.
import { newMilliQuantity, newQuantity, parseQuantity, Quantity } from '../../apimachinery/quantity.js';

export type ResourceList = Record<string, string>;

export const DEFAULT_MAX_PODS = 110;

/** The kubelet's default hard eviction thresholds for the resources we report. */
export interface EvictionThresholds {
  /** memory.available below this quantity (default 100Mi). */
  memory: string;
  /** nodefs.available below this fraction of capacity (default 0.1). */
  ephemeralStoragePercent: number;
}

export const DEFAULT_EVICTION_HARD: EvictionThresholds = { memory: '100Mi', ephemeralStoragePercent: 0.1 };

export interface CapacityInput {
  cpus: number;
  memoryBytes: number;
  diskBytes: number;
  maxPods?: number;
}

/** cpu, memory, ephemeral-storage (binary quantities of bytes), pods and zero hugepages. */
export function nodeCapacity(input: CapacityInput): ResourceList {
  return {
    cpu: newMilliQuantity(input.cpus * 1000).toString(),
    'ephemeral-storage': newQuantity(input.diskBytes, 'BinarySI').toString(),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: newQuantity(input.memoryBytes, 'BinarySI').toString(),
    pods: String(input.maxPods ?? DEFAULT_MAX_PODS),
  };
}

export interface AllocatableOptions {
  kubeReserved?: ResourceList;
  systemReserved?: ResourceList;
  evictionHard?: EvictionThresholds;
}

/** What the eviction threshold holds back of one resource. */
function evictionReservation(resource: string, capacity: Quantity, t: EvictionThresholds): Quantity | undefined {
  if (resource === 'memory') return parseQuantity(t.memory);
  if (resource === 'ephemeral-storage') {
    // A fraction of capacity truncated to whole bytes, as the kubelet's int64 conversion does.
    return newQuantity(BigInt(Math.trunc(t.ephemeralStoragePercent * capacity.value())), capacity.format);
  }
  return undefined;
}

export function nodeAllocatable(capacity: ResourceList, opts: AllocatableOptions = {}): ResourceList {
  const eviction = opts.evictionHard ?? DEFAULT_EVICTION_HARD;
  const out: ResourceList = {};
  // Hugepages are carved out of memory before pods see it.
  let hugepages = newQuantity(0);
  for (const [name, v] of Object.entries(capacity)) if (name.startsWith('hugepages-')) hugepages = hugepages.add(parseQuantity(v));
  for (const [name, v] of Object.entries(capacity)) {
    const cap = parseQuantity(v);
    let value = new Quantity(cap.nanos, cap.format);
    for (const reserved of [opts.kubeReserved?.[name], opts.systemReserved?.[name]]) {
      if (reserved !== undefined) value = value.sub(parseQuantity(reserved));
    }
    const evict = evictionReservation(name, cap, eviction);
    if (evict) value = value.sub(evict);
    if (name === 'memory') value = value.sub(hugepages);
    if (value.sign() < 0) value = newQuantity(0, cap.format);
    out[name] = value.nanos === cap.nanos ? v : value.toString();
  }
  return out;
}
