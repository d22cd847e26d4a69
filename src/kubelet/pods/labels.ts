// The labels and annotations the kubelet puts on sandboxes and containers, by which it finds its
// own objects again after a restart, and the hash that tells when a container's spec changed.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';

export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';

export const CONTAINER_HASH_ANNOTATION = 'io.kubernetes.container.hash';
export const RESTART_COUNT_ANNOTATION = 'io.kubernetes.container.restartCount';
export const TERMINATION_MESSAGE_PATH_ANNOTATION = 'io.kubernetes.container.terminationMessagePath';
export const TERMINATION_MESSAGE_POLICY_ANNOTATION = 'io.kubernetes.container.terminationMessagePolicy';
export const GRACE_PERIOD_ANNOTATION = 'io.kubernetes.pod.terminationGracePeriod';
export const PRESTOP_ANNOTATION = 'io.kubernetes.container.preStopHandler';
export const PORTS_ANNOTATION = 'io.kubernetes.container.ports';

export function podLabels(pod: Pod): Record<string, string> {
  const m = pod.metadata ?? {};
  return { [POD_NAME_LABEL]: m.name ?? '', [POD_NAMESPACE_LABEL]: m.namespace ?? '', [POD_UID_LABEL]: m.uid ?? '' };
}

/** A sandbox carries the pod's own labels plus the three that identify the pod. */
export function sandboxLabels(pod: Pod): Record<string, string> {
  return { ...(pod.metadata?.labels ?? {}), ...podLabels(pod) };
}

export function containerLabels(pod: Pod, container: Container): Record<string, string> {
  return { ...podLabels(pod), [CONTAINER_NAME_LABEL]: container.name };
}

function stableJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJSON).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJSON((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** FNV-1a (32 bit) of the container spec in a key-sorted JSON form, in hex. */
export function containerHash(container: Container): string {
  // Resources may change in place without a restart; they are left out as the kubelet does.
  const { resources: _r, ...rest } = container;
  const text = stableJSON(rest);
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}
