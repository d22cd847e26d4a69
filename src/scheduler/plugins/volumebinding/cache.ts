// What the plugin reads of the cluster: PVCs, PVs, storage classes (and nodes and pods for the
// binding wait) from the shared informers, with an assume layer on top so a volume chosen for a
// pod in flight is not offered to the next pod before the API says so.
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { Informer, InformerFactory } from '../../../client/informer-types.js';
import { resourceForKind } from '../../../client/rest.js';

/** Read access to the volume objects as the API last reported them. */
export interface VolumeListers {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  volumes(): PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
  /** Absent lookups are not checked (bare setups). */
  node?(name: string): Node | undefined;
  /** undefined when the listers cannot tell. */
  podExists?(namespace: string, name: string): boolean | undefined;
}

/** Listers of fixed objects; for tests and setups without informers. */
export function staticListers(o: { claims?: PersistentVolumeClaim[]; volumes?: PersistentVolume[]; classes?: StorageClass[]; nodes?: Node[] } = {}): VolumeListers {
  return {
    claim: (ns, name) => o.claims?.find((c) => c.metadata?.namespace === ns && c.metadata?.name === name),
    volume: (name) => o.volumes?.find((v) => v.metadata?.name === name),
    volumes: () => o.volumes ?? [],
    storageClass: (name) => o.classes?.find((c) => c.metadata?.name === name),
    ...(o.nodes ? { node: (name: string) => o.nodes!.find((n) => n.metadata?.name === name) } : {}),
  };
}

type Obj<T> = T & KubeObject;

function optionalInformer<T>(factory: InformerFactory, apiVersion: string, kind: string): Informer<Obj<T>> | undefined {
  try {
    return factory.informer<Obj<T>>(resourceForKind(apiVersion, kind));
  } catch {
    // The kind is not served by this build of the API: treat it as having no objects.
    return undefined;
  }
}

/** Listers over the shared informers (requested here, so they start and sync with the scheduler's). */
export function informerListers(factory: InformerFactory): VolumeListers {
  const pvcs = factory.informer<Obj<PersistentVolumeClaim>>(resourceForKind('v1', 'PersistentVolumeClaim'));
  const pvs = factory.informer<Obj<PersistentVolume>>(resourceForKind('v1', 'PersistentVolume'));
  const classes = optionalInformer<StorageClass>(factory, 'storage.k8s.io/v1', 'StorageClass');
  const nodes = factory.informer<Obj<Node>>(resourceForKind('v1', 'Node'));
  const pods = factory.informer<Obj<Pod>>(resourceForKind('v1', 'Pod'));
  return {
    claim: (ns, name) => pvcs.store.get(`${ns}/${name}`),
    volume: (name) => pvs.store.get(name),
    volumes: () => pvs.store.list(),
    storageClass: (name) => classes?.store.get(name),
    node: (name) => nodes.store.get(name),
    podExists: (ns, name) => pods.store.get(`${ns}/${name}`) !== undefined,
  };
}

/** The informer's version moved past the one an assumption was made on: the API wins. */
function superseded(current: { metadata?: { resourceVersion?: string } } | undefined, base: string | undefined): boolean {
  return (current?.metadata?.resourceVersion ?? '') !== (base ?? '');
}

/**
 * Informer objects with the plugin's assumptions laid over them: PVs pre-bound to a claim in
 * Reserve and PVCs annotated for provisioning. An assumption lasts until it is restored or the
 * informer delivers a newer version of the object.
 */
export class AssumeCache {
  private readonly pvs = new Map<string, PersistentVolume>();
  private readonly pvcs = new Map<string, PersistentVolumeClaim>();

  constructor(readonly api: VolumeListers) {}

  volume(name: string): PersistentVolume | undefined {
    const cur = this.api.volume(name);
    const a = this.pvs.get(name);
    if (!a) return cur;
    if (superseded(cur, a.metadata?.resourceVersion)) { this.pvs.delete(name); return cur; }
    return a;
  }

  /** Every PV (assumed versions where they hold) of the given class. */
  volumesOfClass(className: string, classOf: (pv: PersistentVolume) => string): PersistentVolume[] {
    const out: PersistentVolume[] = [];
    for (const pv of this.api.volumes()) {
      const v = this.volume(pv.metadata?.name ?? '') ?? pv;
      if (classOf(v) === className) out.push(v);
    }
    return out;
  }

  claim(namespace: string, name: string): PersistentVolumeClaim | undefined {
    const key = `${namespace}/${name}`;
    const cur = this.api.claim(namespace, name);
    const a = this.pvcs.get(key);
    if (!a) return cur;
    if (superseded(cur, a.metadata?.resourceVersion)) { this.pvcs.delete(key); return cur; }
    return a;
  }

  assumeVolume(pv: PersistentVolume): void {
    const name = pv.metadata?.name ?? '';
    if (!this.api.volume(name)) throw new Error(`PersistentVolume "${name}" not found`);
    this.pvs.set(name, pv);
  }

  assumeClaim(pvc: PersistentVolumeClaim): void {
    const ns = pvc.metadata?.namespace ?? '';
    const name = pvc.metadata?.name ?? '';
    if (!this.api.claim(ns, name)) throw new Error(`PersistentVolumeClaim "${ns}/${name}" not found`);
    this.pvcs.set(`${ns}/${name}`, pvc);
  }

  restoreVolume(name: string): void { this.pvs.delete(name); }
  restoreClaim(namespace: string, name: string): void { this.pvcs.delete(`${namespace}/${name}`); }
}
