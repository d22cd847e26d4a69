// The size of a memory-backed volume's tmpfs, as Kubernetes picks it: the node's allocatable
// memory, lowered to the pod's memory limit when it has one, lowered to the volume's sizeLimit.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../apimachinery/quantity.js';

function memoryOf(limits: Record<string, string | number> | undefined): number {
  const v = limits?.memory;
  return v === undefined ? 0 : parseQuantity(String(v)).value();
}

/** The pod's memory limit: the containers' limits summed, or the largest init container's if higher, plus overhead; 0 when none. */
export function podMemoryLimit(pod: Pod): number {
  let sum = 0;
  for (const c of pod.spec?.containers ?? []) sum += memoryOf(c.resources?.limits as Record<string, string> | undefined);
  let init = 0;
  for (const c of pod.spec?.initContainers ?? []) init = Math.max(init, memoryOf(c.resources?.limits as Record<string, string> | undefined));
  const limit = Math.max(sum, init);
  return limit > 0 ? limit + memoryOf(pod.spec?.overhead as Record<string, string> | undefined) : 0;
}

/** Bytes for `size=`, or undefined to leave the kernel's default when nothing bounds it. */
export function memoryVolumeSize(pod: Pod, sizeLimit: string | number | undefined, allocatable: number | undefined): number | undefined {
  let size = allocatable && allocatable > 0 ? allocatable : undefined;
  const podLimit = podMemoryLimit(pod);
  if (podLimit > 0 && (size === undefined || podLimit < size)) size = podLimit;
  if (sizeLimit !== undefined) {
    const limit = parseQuantity(String(sizeLimit)).value();
    if (limit > 0 && (size === undefined || limit < size)) size = limit;
  }
  return size;
}
