// The kubelet's status manager: remembers the status last written for each pod, PATCHes
// pods/status only when the new one differs, never moves a terminal phase back, and deletes a
// pod's API object once the node has finished with it (grace 0, on the pod's UID).
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../apimachinery/log.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { ApiClient, ResourceClient } from '../../client/rest.js';

type ApiPod = Pod & KubeObject;

const isTerminal = (phase: string | undefined): boolean => phase === 'Succeeded' || phase === 'Failed';

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined && o[k] !== null).sort().map((k) => `${JSON.stringify(k)}:${stable(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function statusEqual(a: PodStatus | undefined, b: PodStatus | undefined): boolean {
  return stable(a ?? {}) === stable(b ?? {});
}

export class PodStatusManager {
  private readonly written = new Map<string, PodStatus>();
  private readonly pods: ResourceClient<ApiPod>;
  private readonly log: Logger;

  constructor(client: ApiClient, logger: Logger) {
    this.pods = client.kind<ApiPod>('v1', 'Pod');
    this.log = logger.with({ component: 'status-manager' });
  }

  /** The status last written for the pod (newer than the informer's copy until its watch catches up). */
  cached(uid: string): PodStatus | undefined {
    return this.written.get(uid);
  }

  /** The pod with the freshest status known: ours when we wrote one. */
  withLatestStatus(pod: Pod): Pod {
    const mine = this.written.get(pod.metadata?.uid ?? '');
    return mine ? { ...pod, status: mine } : pod;
  }

  /** Writes the status when it changed; true when a write was made. */
  async set(pod: Pod, status: PodStatus): Promise<boolean> {
    const uid = pod.metadata?.uid ?? '';
    const old = this.written.get(uid) ?? pod.status;
    const next: PodStatus = { ...status };
    if (isTerminal(old?.phase) && !isTerminal(next.phase)) next.phase = old!.phase;
    if (statusEqual(old, next)) return false;
    const patch: Record<string, unknown> = { ...next };
    // Fields the new status no longer has are removed.
    for (const k of new Set([...Object.keys(pod.status ?? {}), ...Object.keys(old ?? {})])) if (!(k in patch) || patch[k] === undefined) patch[k] = null;
    try {
      const updated = await this.pods.patch(pod.metadata?.namespace, pod.metadata?.name ?? '', { metadata: { uid }, status: patch }, 'merge', { subresource: 'status' });
      this.written.set(uid, updated.status ?? next);
      return true;
    } catch (e) {
      if (isNotFound(e) || isConflict(e)) {
        this.log.debug('pod gone before its status was written', { pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, uid });
        return false;
      }
      throw e;
    }
  }

  /** Deletes the API object now that nothing of the pod runs on the node (NotFound is success). */
  async deletePod(pod: Pod): Promise<void> {
    const uid = pod.metadata?.uid;
    try {
      await this.pods.delete(pod.metadata?.namespace, pod.metadata?.name ?? '', { gracePeriodSeconds: 0, ...(uid ? { preconditions: { uid } } : {}) });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  forget(uid: string): void {
    this.written.delete(uid);
  }
}
