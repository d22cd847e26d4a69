// Kubernetes' defaults for a pod spec, shared by pods and every pod template (workloads).
import type {
  Container, EphemeralContainer, HTTPGetAction, PodSpec, PodTemplateSpec, Probe, Volume,
} from 'kubernetes-types/core/v1.js';

export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
const DEFAULT_FILE_MODE = 0o644; // 420, as Kubernetes writes projected files

/** The tag of an image reference; `latest` when neither tag nor digest is given. */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const named = at >= 0 ? image.slice(0, at) : image;
  const lastPart = named.slice(named.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  const tag = colon >= 0 ? lastPart.slice(colon + 1) : '';
  return tag === '' && at < 0 ? 'latest' : tag;
}

export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

function setHTTPGetDefaults(h: HTTPGetAction | undefined): void {
  if (!h) return;
  h.path ||= '/';
  h.scheme ||= 'HTTP';
}

export function setProbeDefaults(p: Probe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  setHTTPGetDefaults(p.httpGet);
}

export function setContainerDefaults(c: Container | EphemeralContainer): void {
  c.imagePullPolicy ||= defaultPullPolicy(c.image ?? '');
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  c.resources ??= {};
  for (const p of c.ports ?? []) p.protocol ||= 'TCP';
  setProbeDefaults(c.livenessProbe);
  setProbeDefaults(c.readinessProbe);
  setProbeDefaults(c.startupProbe);
  setHTTPGetDefaults(c.lifecycle?.postStart?.httpGet);
  setHTTPGetDefaults(c.lifecycle?.preStop?.httpGet);
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.fieldRef;
    if (ref) ref.apiVersion ||= 'v1';
    const res = e.valueFrom?.resourceFieldRef;
    if (res) res.divisor ??= '0';
  }
}

/** Volume keys that are not a source. */
const nonSourceVolumeKeys = new Set(['name']);

export function volumeSourceKeys(v: Volume): string[] {
  return Object.keys(v).filter((k) => !nonSourceVolumeKeys.has(k) && (v as unknown as Record<string, unknown>)[k] != null);
}

export function setVolumeDefaults(v: Volume): void {
  if (volumeSourceKeys(v).length === 0) v.emptyDir = {};
  if (v.secret) v.secret.defaultMode ??= DEFAULT_FILE_MODE;
  if (v.configMap) v.configMap.defaultMode ??= DEFAULT_FILE_MODE;
  if (v.projected) v.projected.defaultMode ??= DEFAULT_FILE_MODE;
  if (v.downwardAPI) {
    v.downwardAPI.defaultMode ??= DEFAULT_FILE_MODE;
    for (const item of v.downwardAPI.items ?? []) if (item.fieldRef) item.fieldRef.apiVersion ||= 'v1';
  }
  if (v.hostPath) v.hostPath.type ??= '';
}

/** With host networking the container port is the host port. */
function setHostNetworkPorts(containers: Container[] | undefined): void {
  for (const c of containers ?? []) {
    for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
  }
}

export function setPodSpecDefaults(spec: PodSpec): void {
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  spec.schedulerName ||= DEFAULT_SCHEDULER_NAME;
  for (const c of spec.initContainers ?? []) setContainerDefaults(c);
  for (const c of spec.containers ?? []) setContainerDefaults(c);
  for (const c of spec.ephemeralContainers ?? []) setContainerDefaults(c);
  for (const v of spec.volumes ?? []) setVolumeDefaults(v);
  if (spec.hostNetwork) {
    setHostNetworkPorts(spec.containers);
    setHostNetworkPorts(spec.initContainers);
  }
}

export function setPodTemplateSpecDefaults(t: PodTemplateSpec): void {
  if (t.spec) setPodSpecDefaults(t.spec);
}
