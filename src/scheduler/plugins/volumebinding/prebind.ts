// PreBind's API work: write the chosen PV's claimRef (and, as Kite has no separate PV binder yet,
// complete the binding the way Kubernetes' PV controller does), mark claims to provision with the
// selected node, then wait until every claim is fully bound or the binding is undone.
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../../apimachinery/clock.js';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { ApiClient } from '../../../client/rest.js';
import type { PodVolumes } from './binder.js';
import type { VolumeListers } from './cache.js';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, isClaimFullyBound, volumeNodeAffinityMatches } from './volumes.js';

type Obj<T> = T & KubeObject;
const obj = <T>(o: T): Obj<T> => o as Obj<T>;

/** How often the binding wait looks at the informers again. */
export const BIND_POLL_INTERVAL_MS = 200;

/** Writes the static bindings (PV then PVC, spec then status) and the provisioning requests; returns what the API stored. */
export async function bindApiUpdate(client: ApiClient, pv: PodVolumes): Promise<PodVolumes> {
  const pvs = client.kind<Obj<PersistentVolume>>('v1', 'PersistentVolume');
  const pvcs = client.kind<Obj<PersistentVolumeClaim>>('v1', 'PersistentVolumeClaim');
  const out: PodVolumes = { staticBindings: [], dynamicProvisions: [] };
  for (const b of pv.staticBindings) {
    const name = b.pv.metadata!.name!;
    // An update, not a patch: a PV changed since it was chosen makes this conflict and the pod retry.
    let stored = await pvs.update(undefined, obj(b.pv));
    if (stored.status?.phase !== 'Bound') {
      stored = await pvs.patch(undefined, name, { status: { phase: 'Bound' } }, 'merge', { subresource: 'status' });
    }
    const ns = b.pvc.metadata?.namespace;
    const claimName = b.pvc.metadata!.name!;
    const annotations: Record<string, string> = { [ANN_BIND_COMPLETED]: 'yes' };
    if (!b.pvc.spec?.volumeName) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
    await pvcs.patch(ns, claimName, { metadata: { annotations }, spec: { volumeName: name } }, 'merge');
    const claim = await pvcs.patch(ns, claimName, {
      status: { phase: 'Bound', accessModes: stored.spec?.accessModes ?? [], capacity: stored.spec?.capacity ?? {} },
    }, 'merge', { subresource: 'status' });
    out.staticBindings.push({ pv: stored, pvc: claim });
  }
  for (const c of pv.dynamicProvisions) {
    const patch = { metadata: { annotations: { [ANN_SELECTED_NODE]: c.metadata?.annotations?.[ANN_SELECTED_NODE] ?? '' } } };
    out.dynamicProvisions.push(await pvcs.patch(c.metadata?.namespace, c.metadata!.name!, patch, 'merge'));
  }
  return out;
}

/** Revision order of two resourceVersions (numeric in Kite; unequal opaque ones count as newer). */
function olderThan(seen: string | undefined, written: string | undefined): boolean {
  if (!written || seen === written) return false;
  if (!seen) return true;
  if (/^\d+$/.test(seen) && /^\d+$/.test(written)) return BigInt(seen) < BigInt(written);
  return false;
}

/**
 * One look at the informers: true once every claim is fully bound, false to keep waiting, an
 * Error when the binding was undone (claimRef dropped, provisioning gave up, pod deleted).
 */
export function checkBindings(listers: VolumeListers, pod: Pod, nodeName: string, written: PodVolumes): boolean | Error {
  const ns = pod.metadata?.namespace ?? '';
  if (listers.podExists?.(ns, pod.metadata?.name ?? '') === false) return new Error('pod does not exist any more');
  const node = listers.node?.(nodeName);
  if (listers.node && !node) return new Error(`failed to get node "${nodeName}"`);
  for (const b of written.staticBindings) {
    const pvName = b.pv.metadata?.name ?? '';
    const pv = listers.volume(pvName);
    if (!pv) return new Error(`failed to check binding: PersistentVolume "${pvName}" not found`);
    const pvc = listers.claim(b.pvc.metadata?.namespace ?? '', b.pvc.metadata?.name ?? '');
    if (!pvc) return new Error(`failed to check binding: PersistentVolumeClaim "${b.pvc.metadata?.namespace}/${b.pvc.metadata?.name}" not found`);
    if (olderThan(pv.metadata?.resourceVersion, b.pv.metadata?.resourceVersion)) return false;
    if (node && !volumeNodeAffinityMatches(pv, node)) return new Error(`pv "${pvName}" node affinity doesn't match node "${nodeName}": no matching NodeSelectorTerms`);
    if (!pv.spec?.claimRef?.uid) return new Error(`ClaimRef got reset for pv "${pvName}"`);
    if (!isClaimFullyBound(pvc)) return false;
  }
  for (const c of written.dynamicProvisions) {
    const name = c.metadata?.name ?? '';
    const pvc = listers.claim(c.metadata?.namespace ?? '', name);
    if (!pvc) return new Error(`failed to check provisioning pvc: PersistentVolumeClaim "${c.metadata?.namespace}/${name}" not found`);
    if (olderThan(pvc.metadata?.resourceVersion, c.metadata?.resourceVersion)) return false;
    const annotations = pvc.metadata?.annotations;
    if (!annotations) return new Error(`selectedNode annotation reset for PVC "${name}"`);
    // A provisioner that gives up removes the annotation so the scheduler tries again.
    if (annotations[ANN_SELECTED_NODE] !== nodeName) return new Error(`provisioning failed for PVC "${name}"`);
    const volumeName = pvc.spec?.volumeName;
    if (volumeName) {
      const pv = listers.volume(volumeName);
      if (!pv) return false;
      if (node && !volumeNodeAffinityMatches(pv, node)) return new Error(`pv "${volumeName}" node affinity doesn't match node "${nodeName}": no matching NodeSelectorTerms`);
    }
    if (!isClaimFullyBound(pvc)) return false;
  }
  return true;
}

/** Polls `checkBindings` on the clock until done, undone, or `timeoutMs` passes. */
export function waitForBindings(clock: Clock, timeoutMs: number, check: () => boolean | Error): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      let r: boolean | Error;
      try { r = check(); } catch (e) { r = e instanceof Error ? e : new Error(String(e)); }
      if (r instanceof Error) { reject(new Error(`binding volumes: ${r.message}`)); return; }
      if (r) { resolve(); return; }
      const left = deadline - clock.now();
      if (left <= 0) { reject(new Error('binding volumes: context deadline exceeded')); return; }
      clock.setTimeout(tick, Math.min(BIND_POLL_INTERVAL_MS, left));
    };
    tick();
  });
}
