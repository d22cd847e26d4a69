// The pods of a Job: building one from the template, and reading what state each is in.
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../apimachinery/object.js';

export type JobObject = Job & KubeObject;
export type PodObject = Pod & KubeObject;

export const TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX_KEY = 'batch.kubernetes.io/job-completion-index';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
const MAX_GENERATE_NAME_PREFIX = 58;

export function isIndexed(job: JobObject): boolean {
  return job.spec?.completionMode === 'Indexed';
}

/** The uid of the Job controlling the pod, if a Job does. */
export function controllingJobUid(pod: KubeObject): string | undefined {
  const ref = pod.metadata?.ownerReferences?.find((r) => r.controller);
  return ref && ref.kind === 'Job' && ref.apiVersion?.startsWith('batch/') ? ref.uid : undefined;
}

export function controllingJobName(pod: KubeObject): string | undefined {
  const ref = pod.metadata?.ownerReferences?.find((r) => r.controller);
  return ref && ref.kind === 'Job' && ref.apiVersion?.startsWith('batch/') ? ref.name : undefined;
}

export function hasTrackingFinalizer(pod: PodObject): boolean {
  return pod.metadata?.finalizers?.includes(TRACKING_FINALIZER) ?? false;
}

export function isTerminal(pod: PodObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Neither finished nor being deleted. */
export function isActive(pod: PodObject): boolean {
  return !isTerminal(pod) && !pod.metadata?.deletionTimestamp;
}

export function isTerminating(pod: PodObject): boolean {
  return !isTerminal(pod) && Boolean(pod.metadata?.deletionTimestamp);
}

export function isReady(pod: PodObject): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The pod's completion index, or undefined when missing or not a valid index of the job. */
export function completionIndex(pod: PodObject, completions: number): number | undefined {
  const text = pod.metadata?.annotations?.[COMPLETION_INDEX_KEY] ?? pod.metadata?.labels?.[COMPLETION_INDEX_KEY];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const ix = Number(text);
  return ix < completions ? ix : undefined;
}

/** A pod that failed, or went away without succeeding (as a deleted pod that never finished). */
export function consideredFailed(pod: PodObject, job: JobObject): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed') return true;
  if (phase === 'Succeeded') return false;
  if (job.spec?.podReplacementPolicy === 'Failed' || job.spec?.podFailurePolicy) return false;
  return Boolean(pod.metadata?.deletionTimestamp);
}

/** Container restarts of a pod, which count against the backoff limit under OnFailure. */
export function restartCount(pod: PodObject): number {
  let n = 0;
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) n += s.restartCount ?? 0;
  return n;
}

/** The pod the job asks for; `index` for Indexed jobs. */
export function podFromTemplate(job: JobObject, index?: number): PodObject {
  const template = structuredClone(job.spec?.template ?? {});
  const name = job.metadata?.name ?? '';
  const meta = template.metadata ?? {};
  const labels: Record<string, string> = { ...(meta.labels ?? {}) };
  const annotations: Record<string, string> = { ...(meta.annotations ?? {}) };
  const spec = template.spec ?? { containers: [] };
  let prefix = `${name}-`;
  if (index !== undefined) {
    labels[COMPLETION_INDEX_KEY] = String(index);
    annotations[COMPLETION_INDEX_KEY] = String(index);
    prefix = `${name}-${index}-`;
    spec.hostname ??= `${name}-${index}`;
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      const env = (c.env ??= []);
      if (!env.some((e) => e.name === COMPLETION_INDEX_ENV)) {
        env.push({ name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_KEY}']` } } });
      }
    }
  }
  if (prefix.length > MAX_GENERATE_NAME_PREFIX) prefix = prefix.slice(0, MAX_GENERATE_NAME_PREFIX);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: prefix,
      namespace: job.metadata?.namespace,
      labels,
      annotations,
      finalizers: [TRACKING_FINALIZER],
      ownerReferences: [{
        apiVersion: 'batch/v1', kind: 'Job', name, uid: job.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true,
      }],
    },
    spec,
  };
}

/** Pods least worth keeping first: unscheduled, pending, not ready, then the newest. */
export function deletionOrder(a: PodObject, b: PodObject): number {
  const rank = (p: PodObject) => [p.spec?.nodeName ? 1 : 0, p.status?.phase === 'Running' ? 1 : 0, isReady(p) ? 1 : 0];
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
  return (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? '');
}
