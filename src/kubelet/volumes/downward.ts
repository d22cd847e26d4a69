// The downward API for volume files: the values themselves come from the pods' downward API (the
// same as env); a volume file names its container by name and reads the pod's own addresses.
import type { Container, ObjectFieldSelector, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { fieldRefValue as podFieldRefValue, resourceFieldRefValue, type DownwardContext } from '../pods/downward.js';

export { formatMap, goQuote } from '../pods/downward.js';

/** Node allocatable by resource name, used for limits a container leaves unset. */
export type Allocatable = Record<string, string | number>;

function context(pod: Pod, allocatable?: Allocatable): DownwardContext {
  const status = pod.status ?? {};
  return {
    hostIPs: status.hostIP ? [status.hostIP] : [],
    podIPs: status.podIP ? [status.podIP] : [],
    nodeAllocatable: allocatable,
  };
}

/** The value of a `fieldRef` path for this pod. */
export function fieldRefValue(pod: Pod, ref: ObjectFieldSelector): string {
  return podFieldRefValue(ref, pod, context(pod));
}

function findContainer(pod: Pod, name: string | undefined): Container {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const c = name ? all.find((x) => x.name === name) : all.length === 1 ? all[0] : undefined;
  if (!c) throw new Error(`container ${JSON.stringify(name ?? '')} not found in pod ${pod.metadata?.namespace}/${pod.metadata?.name}`);
  return c;
}

/** The value of a `resourceFieldRef` for the container it names (the only one when unnamed). */
export function resourceFieldValue(pod: Pod, ref: ResourceFieldSelector, allocatable: Allocatable = {}): string {
  return resourceFieldRefValue(ref, findContainer(pod, ref.containerName), context(pod, allocatable));
}
