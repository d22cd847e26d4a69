// The pod startup benchmark's observer: one watch on the namespace's pods over HTTPS, noting when
// each pod is first seen bound to a node, with a status from the kubelet, and Running.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../src/apimachinery/object.js';
import type { ApiClient } from '../src/client/rest.js';

/** performance.now() marks of one pod; start and created are the bench's, the rest the watch's. */
export interface PodTimes {
  start?: number;
  created?: number;
  bound?: number;
  kubeletStatus?: number;
  running?: number;
}

/** Watches `namespace`'s pods and fills in the marks of the pods named in `times`. */
export async function watchPods(client: ApiClient, namespace: string, times: Map<string, PodTimes>): Promise<{ close(): void }> {
  const stream = await client.kind<Pod & KubeObject>('v1', 'Pod').watch(namespace, { timeoutSeconds: 3600 });
  void (async () => {
    try {
      for await (const ev of stream) {
        const now = performance.now();
        const pod = ev.object as Pod & KubeObject;
        const t = times.get(pod.metadata?.name ?? '');
        if (!t || ev.type === 'DELETED') continue;
        if (t.bound === undefined && pod.spec?.nodeName) t.bound = now;
        // The scheduler writes only PodScheduled; the kubelet's first status brings the other conditions.
        if (t.kubeletStatus === undefined && (pod.status?.conditions ?? []).some((c) => c.type !== 'PodScheduled')) t.kubeletStatus = now;
        if (t.running === undefined && pod.status?.phase === 'Running') t.running = now;
      }
    } catch {
      // closed
    }
  })();
  return { close: () => stream.close() };
}
