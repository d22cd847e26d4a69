// Pods: initial status, graceful deletion, and the deleted object in DELETE answers.
import type { KubeObject } from '../../../apimachinery/object.js';
import type { Strategy } from '../strategy.js';

interface PodLike extends KubeObject {
  spec?: { nodeName?: string; terminationGracePeriodSeconds?: number; priority?: number; preemptionPolicy?: string };
  status?: { phase?: string; qosClass?: string };
}

/** Kubernetes' QoS class: Guaranteed when every container's limits equal requests for cpu and memory. */
export function qosClass(pod: KubeObject): string {
  const spec = (pod.spec ?? {}) as { containers?: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[]; initContainers?: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[] };
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  let any = false;
  let guaranteed = all.length > 0;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      if (lim[r] === undefined || (req[r] !== undefined && req[r] !== lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export const podStrategy: Strategy = {
  prepareForCreate(obj) {
    const pod = obj as PodLike;
    pod.status = { phase: 'Pending', qosClass: qosClass(pod) };
  },
  prepareForUpdate(obj, old) {
    // Priority admission set these on create; an update that leaves them out keeps them.
    const spec = (obj as PodLike).spec;
    const was = (old as PodLike).spec;
    if (!spec || !was) return;
    if (spec.priority === undefined && was.priority !== undefined) spec.priority = was.priority;
    if (spec.preemptionPolicy === undefined && was.preemptionPolicy !== undefined) spec.preemptionPolicy = was.preemptionPolicy;
  },
  gracePeriodSeconds(obj, requested) {
    const pod = obj as PodLike;
    // A pod no node runs, or one that has finished, has nothing to stop gracefully.
    if (!pod.spec?.nodeName) return 0;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
    const grace = requested ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, grace);
  },
  returnDeletedObject: true,
};
