// VolumeBinding: a pod's PersistentVolumeClaims decide where it may run. Bound claims pin it to
// the nodes their volumes' node affinity allows; unbound WaitForFirstConsumer claims need a
// matching Available volume on the node (or a class that can provision there), which Reserve
// sets aside and PreBind binds before the pod itself is bound.
import type { Pod, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../../apimachinery/clock.js';
import type { ApiClient } from '../../../client/rest.js';
import type {
  ClusterEvent, EnqueueExtensions, FilterPlugin, PluginFactory, PreBindPlugin, PreFilterPlugin, PreFilterResult, ReservePlugin,
} from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import type { CycleState, NodeInfo } from '../../framework/types.js';
import { findPodVolumes, type PodVolumeClaims, type PodVolumes } from './binder.js';
import { AssumeCache, informerListers, staticListers, type VolumeListers } from './cache.js';
import { bindApiUpdate, checkBindings, waitForBindings } from './prebind.js';
import {
  ANN_SELECTED_NODE, bindVolumeToClaim, claimClass, claimIsForPod, isClaimFullyBound, isDelayBindingMode, podClaimRefs, volumeClass,
} from './volumes.js';

export { ERR_REASON_BIND_CONFLICT, ERR_REASON_NODE_CONFLICT, ERR_REASON_PV_NOT_EXIST } from './binder.js';
export { staticListers, type VolumeListers } from './cache.js';

export const NAME = 'VolumeBinding';
export const ERR_REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const DEFAULT_BIND_TIMEOUT_SECONDS = 600;

export interface VolumeBindingArgs {
  /** How long PreBind waits for the claims to be bound (Kubernetes' default: 600). */
  bindTimeoutSeconds?: number;
}

const STATE_KEY = `PreFilter${NAME}`;

interface StateData {
  claims?: PodVolumeClaims;
  /** Node name → what binding the pod's volumes there takes, filled by Filter. */
  byNode: Map<string, PodVolumes>;
  allBound: boolean;
}

/** PreFilter's checks of one claim reference, worded as kube-scheduler words them. */
function claimProblem(pod: Pod, name: string, ephemeral: boolean, pvc: PersistentVolumeClaim | undefined): string | undefined {
  if (!pvc) {
    return ephemeral
      ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"`
      : `persistentvolumeclaim "${name}" not found`;
  }
  if (pvc.status?.phase === 'Lost') return `persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${pvc.spec?.volumeName ?? ''}"`;
  if (pvc.metadata?.deletionTimestamp) return `persistentvolumeclaim "${name}" is being deleted`;
  if (ephemeral && !claimIsForPod(pod, pvc)) {
    return `PVC ${pvc.metadata?.namespace ?? ''}/${name} was not created for pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''} (pod is not owner)`;
  }
  return undefined;
}

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin, EnqueueExtensions {
  readonly name = NAME;
  readonly cache: AssumeCache;
  private readonly bindTimeoutMs: number;

  /** `api` is read only in PreBind (a Handle will do). */
  constructor(listers: VolumeListers, args: VolumeBindingArgs = {}, private readonly api?: { readonly client: ApiClient; readonly clock: Clock }) {
    this.cache = new AssumeCache(listers);
    const secs = args.bindTimeoutSeconds ?? DEFAULT_BIND_TIMEOUT_SECONDS;
    if (!Number.isFinite(secs) || secs < 0) throw new Error(`VolumeBinding: bindTimeoutSeconds must be a non-negative number, got ${String(secs)}`);
    this.bindTimeoutMs = secs * 1000;
  }

  preFilter(state: CycleState, pod: Pod, _nodes: NodeInfo[]): { result?: PreFilterResult; status: Status } {
    const refs = podClaimRefs(pod);
    if (refs.length === 0) {
      state.write(STATE_KEY, { byNode: new Map(), allBound: true } satisfies StateData);
      return { status: Status.skip() };
    }
    const ns = pod.metadata?.namespace ?? '';
    const claims: PodVolumeClaims = { bound: [], delayed: [], volumesByClass: new Map() };
    let unboundImmediate = false;
    const classOf = (n: string) => this.cache.api.storageClass(n);
    for (const ref of refs) {
      const pvc = this.cache.claim(ns, ref.name);
      const problem = claimProblem(pod, ref.name, ref.ephemeral, pvc);
      if (problem) return { status: Status.unresolvable(problem) };
      if (isClaimFullyBound(pvc!)) { claims.bound.push(pvc!); continue; }
      let delayed: boolean;
      try { delayed = isDelayBindingMode(pvc!, classOf); } catch (e) { return { status: Status.error((e as Error).message) }; }
      // A claim pre-bound to a volume by name is left to the PV controller, like an Immediate one.
      if (delayed && !pvc!.spec?.volumeName) claims.delayed.push(pvc!);
      else unboundImmediate = true;
    }
    if (unboundImmediate) return { status: Status.unresolvable(ERR_REASON_UNBOUND_IMMEDIATE) };
    for (const pvc of claims.delayed) {
      const cls = claimClass(pvc);
      if (!claims.volumesByClass.has(cls)) claims.volumesByClass.set(cls, this.cache.volumesOfClass(cls, volumeClass));
    }
    state.write(STATE_KEY, { claims, byNode: new Map(), allBound: false } satisfies StateData);
    return { status: Status.success() };
  }

  filter(state: CycleState, _pod: Pod, node: NodeInfo): Status {
    const s = state.read<StateData>(STATE_KEY);
    if (!s?.claims) return Status.error(`reading "${STATE_KEY}" from cycleState: not found`);
    let found;
    try {
      found = findPodVolumes(s.claims, node.node, { volume: (n) => this.cache.volume(n), storageClass: (n) => this.cache.api.storageClass(n) });
    } catch (e) {
      return Status.error((e as Error).message);
    }
    if (found.reasons.length > 0) return Status.unresolvable(...found.reasons);
    s.byNode.set(node.name, found.podVolumes);
    return Status.success();
  }

  /** Sets the node's volumes aside: PVs pre-bound to their claims, claims marked with the node. */
  reserve(state: CycleState, pod: Pod, nodeName: string): Status {
    const s = state.read<StateData>(STATE_KEY);
    if (!s) return Status.error(`reading "${STATE_KEY}" from cycleState: not found`);
    const pv = s.byNode.get(nodeName);
    if (!pv || this.allPodVolumesBound(pod)) { s.allBound = true; return Status.success(); }
    const assumed: PodVolumes = { staticBindings: [], dynamicProvisions: [] };
    try {
      for (const b of pv.staticBindings) {
        const { pv: bound, dirty } = bindVolumeToClaim(b.pv, b.pvc);
        if (dirty) this.cache.assumeVolume(bound);
        assumed.staticBindings.push({ pvc: b.pvc, pv: bound });
      }
      for (const c of pv.dynamicProvisions) {
        const clone = structuredClone(c);
        (clone.metadata ??= {}).annotations = { ...clone.metadata.annotations, [ANN_SELECTED_NODE]: nodeName };
        this.cache.assumeClaim(clone);
        assumed.dynamicProvisions.push(clone);
      }
    } catch (e) {
      this.revert(assumed);
      return Status.error((e as Error).message);
    }
    s.byNode.set(nodeName, assumed);
    s.allBound = false;
    return Status.success();
  }

  unreserve(state: CycleState, _pod: Pod, nodeName: string): void {
    const pv = state.read<StateData>(STATE_KEY)?.byNode.get(nodeName);
    if (pv) this.revert(pv);
  }

  async preBind(state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    const s = state.read<StateData>(STATE_KEY);
    if (!s) return Status.error(`reading "${STATE_KEY}" from cycleState: not found`);
    if (s.allBound) return Status.success();
    const pv = s.byNode.get(nodeName);
    if (!pv) return Status.error(`no pod volumes found for node "${nodeName}"`);
    if (!this.api) return Status.error('volume binding needs an API client and a clock');
    try {
      const written = await bindApiUpdate(this.api.client, pv);
      await waitForBindings(this.api.clock, this.bindTimeoutMs, () => checkBindings(this.cache.api, pod, nodeName, written));
    } catch (e) {
      return Status.error(e instanceof Error ? e.message : String(e));
    } finally {
      // The informers hold the outcome now (or the pod is retried): the assumptions have served.
      this.revert(pv);
    }
    return Status.success();
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      { resource: 'StorageClass', action: 'Add' },
      { resource: 'StorageClass', action: 'Update' },
      { resource: 'PersistentVolumeClaim', action: 'Add' },
      { resource: 'PersistentVolumeClaim', action: 'Update' },
      { resource: 'PersistentVolume', action: 'Add' },
      { resource: 'PersistentVolume', action: 'Update' },
      { resource: 'Node', action: 'Add' },
      { resource: 'Node', action: 'UpdateNodeLabel' },
      { resource: 'Node', action: 'UpdateNodeTaint' },
    ];
  }

  private allPodVolumesBound(pod: Pod): boolean {
    const ns = pod.metadata?.namespace ?? '';
    return podClaimRefs(pod).every((r) => {
      const pvc = this.cache.claim(ns, r.name);
      return !!pvc && isClaimFullyBound(pvc) && (!r.ephemeral || claimIsForPod(pod, pvc));
    });
  }

  private revert(pv: PodVolumes): void {
    for (const b of pv.staticBindings) this.cache.restoreVolume(b.pv.metadata?.name ?? '');
    for (const c of pv.dynamicProvisions) this.cache.restoreClaim(c.metadata?.namespace ?? '', c.metadata?.name ?? '');
  }
}

/** Reads PVCs, PVs and StorageClasses from the scheduler's informers; without them every claim is "not found". */
export const newVolumeBinding: PluginFactory = (args, handle) => {
  const listers = handle.informers ? informerListers(handle.informers) : staticListers();
  return new VolumeBinding(listers, (args ?? {}) as VolumeBindingArgs, handle);
};
