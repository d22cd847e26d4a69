// How many pods a budget expects when it counts by controllers: the sum of the scale of the
// controllers owning its pods, each counted once. ReplicationControllers, ReplicaSets (or the
// Deployment owning them) and StatefulSets are read from informer caches; any other kind through
// its scale subresource.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { allResources } from '../../api/registry.js';
import type { ResourceType } from '../../api/types.js';
import type { KubeObject, OwnerReference } from '../../apimachinery/object.js';
import { errorFromResponse, isNotFound } from '../../client/errors.js';
import type { ObjectStore } from '../../client/informer-types.js';
import { controllerOf } from '../../client/owner-index.js';
import { ResourceClient, type ApiClient } from '../../client/rest.js';

export interface ControllerScale {
  uid: string;
  scale: number;
}

/** The scale of the controller `ref` names in `namespace`; undefined when it is not this finder's kind or is gone. */
export type ScaleFinder = (ref: OwnerReference, namespace: string) => Promise<ControllerScale | undefined>;

export interface ExpectedScale {
  scale: number;
  /** Pods without a controlling owner: the scale cannot account for them. */
  unmanaged: string[];
}

/** Sums the scale of the pods' controllers; a pod whose controller no finder knows fails the count. */
export async function expectedScale(pods: Pod[], finders: ScaleFinder[]): Promise<ExpectedScale> {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod as KubeObject);
    if (!ref) {
      unmanaged.push(pod.metadata?.name ?? '');
      continue;
    }
    if (scales.has(ref.uid)) continue;
    let found: ControllerScale | undefined;
    for (const finder of finders) {
      found = await finder(ref, pod.metadata?.namespace ?? '');
      if (found) break;
    }
    if (!found) throw new Error(`found no controllers for pod ${JSON.stringify(pod.metadata?.name ?? '')}`);
    scales.set(found.uid, found.scale);
  }
  let scale = 0;
  for (const n of scales.values()) scale += n;
  return { scale, unmanaged };
}

type Workload = KubeObject & { spec?: { replicas?: number } };

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

function refersTo(ref: OwnerReference | undefined, kind: string, groups: string[]): boolean {
  return !!ref && ref.kind === kind && groups.includes(groupOf(ref.apiVersion));
}

/** The cached object `ref` names, if it is still the same object (same uid). */
function cached(store: ObjectStore<Workload>, ref: OwnerReference, namespace: string): Workload | undefined {
  const obj = store.get(`${namespace}/${ref.name}`);
  return obj && obj.metadata?.uid === ref.uid ? obj : undefined;
}

const replicas = (obj: Workload): number => obj.spec?.replicas ?? 1;

export interface WorkloadStores {
  replicationControllers: ObjectStore<Workload>;
  replicaSets: ObjectStore<Workload>;
  deployments: ObjectStore<Workload>;
  statefulSets: ObjectStore<Workload>;
}

/** Kubernetes' order: ReplicationController, Deployment (through its ReplicaSet), ReplicaSet, StatefulSet, then any scale. */
export function workloadFinders(stores: WorkloadStores, client: ApiClient): ScaleFinder[] {
  const simple = (store: ObjectStore<Workload>, kind: string, groups: string[]): ScaleFinder => async (ref, ns) => {
    if (!refersTo(ref, kind, groups)) return undefined;
    const obj = cached(store, ref, ns);
    return obj ? { uid: ref.uid, scale: replicas(obj) } : undefined;
  };
  const deployment: ScaleFinder = async (ref, ns) => {
    if (!refersTo(ref, 'ReplicaSet', ['apps', 'extensions'])) return undefined;
    const rs = cached(stores.replicaSets, ref, ns);
    const owner = rs && controllerOf(rs);
    if (!owner || !refersTo(owner, 'Deployment', ['apps', 'extensions'])) return undefined;
    const d = cached(stores.deployments, owner, ns);
    return d ? { uid: owner.uid, scale: replicas(d) } : undefined;
  };
  const replicaSet: ScaleFinder = async (ref, ns) => {
    if (!refersTo(ref, 'ReplicaSet', ['apps', 'extensions'])) return undefined;
    const rs = cached(stores.replicaSets, ref, ns);
    if (!rs) return undefined;
    // A ReplicaSet a Deployment controls counts as its Deployment (found above).
    if (controllerOf(rs)?.kind === 'Deployment') return undefined;
    return { uid: ref.uid, scale: replicas(rs) };
  };
  return [
    simple(stores.replicationControllers, 'ReplicationController', ['']),
    deployment,
    replicaSet,
    simple(stores.statefulSets, 'StatefulSet', ['apps']),
    scaleSubresourceFinder(client),
  ];
}

interface Scale {
  metadata?: { uid?: string };
  spec?: { replicas?: number };
}

/** Any kind the server knows, read through `/scale`; kinds without one fail the count. */
export function scaleSubresourceFinder(client: ApiClient): ScaleFinder {
  return async (ref, ns) => {
    const group = groupOf(ref.apiVersion);
    const version = ref.apiVersion.slice(ref.apiVersion.indexOf('/') + 1);
    const rt: ResourceType | undefined = allResources().find((r) => r.group === group && r.version === version && r.kind === ref.kind);
    if (!rt) return undefined;
    if (!rt.scale) throw new Error(`${rt.plural}${rt.group ? `.${rt.group}` : ''} does not implement the scale subresource`);
    const rc = new ResourceClient(client.transport, rt);
    const path = rc.path(rt.namespaced ? ns : undefined, ref.name, 'scale');
    const res = await client.transport.request('GET', path, { headers: { Accept: 'application/json' } });
    if (res.status < 200 || res.status >= 300) {
      const err = errorFromResponse(res, `GET ${path}`);
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const scale = JSON.parse(res.body.toString('utf8')) as Scale;
    if (scale.metadata?.uid !== ref.uid) return undefined;
    return { uid: ref.uid, scale: scale.spec?.replicas ?? 0 };
  };
}
