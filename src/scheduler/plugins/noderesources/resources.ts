// Per-resource amounts the scorers compare: the node's allocatable and its requests with the
// incoming pod's added.
import type { NodeInfo, Resource } from '../../framework/types.js';

export function resourceAmount(r: Resource, name: string): number {
  switch (name) {
    case 'cpu': return r.milliCPU;
    case 'memory': return r.memory;
    case 'ephemeral-storage': return r.ephemeralStorage;
    case 'pods': return r.allowedPodNumber;
    default: return r.scalar[name] ?? 0;
  }
}

/**
 * For each resource, [allocatable, requested + pod]. With `nonZero`, CPU and memory use the
 * non-zero (defaulted) requests, as NodeResourcesFit's scoring does; a resource the node does
 * not have yields [0, 0] and is left out by the scorers.
 */
export function allocatableAndRequested(node: NodeInfo, pod: Resource, names: string[], nonZero: boolean): { allocatable: number[]; requested: number[] } {
  const out = { allocatable: new Array<number>(names.length), requested: new Array<number>(names.length) };
  return allocatableAndRequestedInto(out, node, pod, names, nonZero);
}

/** As allocatableAndRequested, filling the caller's arrays (scoring reuses them for every node). */
export function allocatableAndRequestedInto<T extends { allocatable: number[]; requested: number[] }>(
  out: T, node: NodeInfo, pod: Resource, names: string[], nonZero: boolean,
): T {
  const { allocatable, requested } = out;
  // Setting an array's length is a slow path; the buffers keep theirs from one node to the next.
  if (allocatable.length !== names.length) allocatable.length = names.length;
  if (requested.length !== names.length) requested.length = names.length;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const alloc = resourceAmount(node.allocatable, name);
    if (alloc === 0) {
      allocatable[i] = 0;
      requested[i] = 0;
      continue;
    }
    const base = nonZero && (name === 'cpu' || name === 'memory') ? node.nonZeroRequested : node.requested;
    allocatable[i] = alloc;
    requested[i] = resourceAmount(base, name) + resourceAmount(pod, name);
  }
  return out;
}
