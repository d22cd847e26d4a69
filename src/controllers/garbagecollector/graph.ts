// The ownership graph the garbage collector works from: every watched object by uid, and for each
// uid the objects naming it as an owner. Built from informer events across all watched kinds.
import type { KubeObject, OwnerReference } from '../../apimachinery/object.js';
import type { ResourceRef } from '../../client/rest.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export interface GraphNode {
  uid: string;
  ref: ResourceRef;
  namespace?: string;
  name: string;
  obj: KubeObject;
}

export function ownersOf(obj: KubeObject): OwnerReference[] {
  return obj.metadata?.ownerReferences ?? [];
}

export function hasFinalizer(obj: KubeObject, f: string): boolean {
  return (obj.metadata?.finalizers ?? []).includes(f);
}

/** Being deleted and waiting for its dependents to go first. */
export function isDeletingDependents(obj: KubeObject): boolean {
  return Boolean(obj.metadata?.deletionTimestamp) && hasFinalizer(obj, FOREGROUND_FINALIZER);
}

export class OwnershipGraph {
  private readonly nodes = new Map<string, GraphNode>();
  /** owner uid → uids of objects naming it. */
  private readonly dependents = new Map<string, Set<string>>();

  get size(): number {
    return this.nodes.size;
  }

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  /** Records the object's latest state; returns the state it replaces. */
  upsert(ref: ResourceRef, obj: KubeObject): GraphNode | undefined {
    const uid = obj.metadata?.uid;
    if (!uid) return undefined;
    const prev = this.nodes.get(uid);
    if (prev) this.unlinkOwners(uid, prev.obj);
    this.nodes.set(uid, { uid, ref, namespace: obj.metadata?.namespace || undefined, name: obj.metadata?.name ?? '', obj });
    for (const o of ownersOf(obj)) {
      if (!o.uid) continue;
      let set = this.dependents.get(o.uid);
      if (!set) this.dependents.set(o.uid, (set = new Set()));
      set.add(uid);
    }
    return prev;
  }

  remove(obj: KubeObject): GraphNode | undefined {
    const uid = obj.metadata?.uid;
    if (!uid) return undefined;
    const prev = this.nodes.get(uid);
    if (!prev) return undefined;
    this.nodes.delete(uid);
    this.unlinkOwners(uid, prev.obj);
    return prev;
  }

  /** Watched objects naming `uid` as an owner. */
  dependentsOf(uid: string): GraphNode[] {
    const out: GraphNode[] = [];
    for (const d of this.dependents.get(uid) ?? []) {
      const n = this.nodes.get(d);
      if (n) out.push(n);
    }
    return out;
  }

  private unlinkOwners(uid: string, obj: KubeObject): void {
    for (const o of ownersOf(obj)) {
      const set = o.uid ? this.dependents.get(o.uid) : undefined;
      if (!set) continue;
      set.delete(uid);
      if (set.size === 0) this.dependents.delete(o.uid);
    }
  }
}
