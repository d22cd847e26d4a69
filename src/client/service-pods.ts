// Which pods back a Service and on which ports: shared by the Endpoints and EndpointSlice controllers.
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../apimachinery/object.js';
import { objectKey, type Informer } from './informer-types.js';

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** A Service's plain label selector against a pod's labels. */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

/**
 * The container port a service port sends traffic to on this pod: a number as given, a name looked
 * up among the pod's container ports (matching protocol), or undefined when the name is not there.
 */
export function resolveTargetPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/**
 * Queues a Service's key when it changes, and when a pod its selector picks (before or after the
 * change) is added, changed or deleted: the triggers of both endpoint controllers.
 */
export function queueServicesOnPodChanges(
  services: Informer<Service & KubeObject>, pods: Informer<Pod & KubeObject>, add: (key: string) => void,
): void {
  const servicesOf = (...podVersions: Pod[]): void => {
    const ns = podVersions[0]?.metadata?.namespace ?? '';
    for (const svc of services.store.byIndex('namespace', ns)) {
      const sel = svc.spec?.selector;
      if (sel && podVersions.some((p) => selectorMatches(sel, p.metadata?.labels))) add(objectKey(svc));
    }
  };
  services.addEventHandler({
    onAdd: (s) => add(objectKey(s)),
    onUpdate: (_o, s) => add(objectKey(s)),
    onDelete: (s) => add(objectKey(s)),
  });
  pods.addEventHandler({
    onAdd: (p) => servicesOf(p),
    onUpdate: (o, p) => servicesOf(o, p),
    onDelete: (p) => servicesOf(p),
  });
}
