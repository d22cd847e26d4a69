// Kubernetes' garbage collection over ownerReferences: an object whose owners are all gone is
// deleted; an owner deleted in the foreground waits for its blocking dependents to go first; an
// owner deleted with orphaning first cuts its dependents loose. Absence of an owner is confirmed
// with a live read before anything is deleted, so a lagging cache never costs an object.
import type { Logger } from '../../apimachinery/log.js';
import type { KubeObject, OwnerReference } from '../../apimachinery/object.js';
import type { EventRecorder } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import type { EventHandler } from '../../client/informer-types.js';
import type { ReconcileResult } from '../../client/runner.js';
import { resourceForKind, type ApiClient, type DeleteOptions, type ResourceRef } from '../../client/rest.js';
import type { WorkQueue } from '../../client/workqueue.js';
import {
  FOREGROUND_FINALIZER, ORPHAN_FINALIZER, OwnershipGraph, hasFinalizer, isDeletingDependents, ownersOf, type GraphNode,
} from './graph.js';

type OwnerState = 'solid' | 'dangling' | 'waiting';

const PATCH_CONCURRENCY = 8;
/** Owners confirmed absent, remembered so the dependents of one deleted owner cost one read. */
const ABSENT_OWNERS_KEPT = 1000;

export class GarbageCollector {
  readonly graph = new OwnershipGraph();
  /** `namespace|uid` of owners the server said are gone; a uid never comes back. */
  private readonly absentOwners = new Map<string, true>();

  constructor(
    private readonly client: ApiClient,
    private readonly queue: WorkQueue,
    private readonly recorder: EventRecorder,
    private readonly log: Logger,
  ) {}

  /** Keeps the graph current for one watched resource and queues what may need collecting. */
  handler(ref: ResourceRef): EventHandler {
    return {
      onAdd: (obj) => {
        this.graph.upsert(ref, obj);
        this.consider(obj);
      },
      onUpdate: (oldObj, obj) => {
        this.graph.upsert(ref, obj);
        this.consider(obj, oldObj);
        this.wakeForegroundOwners(oldObj);
      },
      onDelete: (obj) => {
        const uid = obj.metadata?.uid;
        this.graph.remove(obj);
        if (!uid) return;
        // Its dependents may have lost their last owner.
        for (const d of this.graph.dependentsOf(uid)) this.queue.add(d.uid);
        this.wakeForegroundOwners(obj);
      },
    };
  }

  /** Queues the object if it is an owner with work to do, or a dependent that may be collectable. */
  private consider(obj: KubeObject, oldObj?: KubeObject): void {
    const uid = obj.metadata?.uid;
    if (!uid) return;
    const meta = obj.metadata!;
    if (meta.deletionTimestamp) {
      if (hasFinalizer(obj, ORPHAN_FINALIZER) || hasFinalizer(obj, FOREGROUND_FINALIZER)) this.queue.add(uid);
      return;
    }
    const owners = ownersOf(obj);
    if (!owners.length) return;
    const changedOwners = oldObj !== undefined && JSON.stringify(ownersOf(oldObj)) !== JSON.stringify(owners);
    if (changedOwners || owners.some((o) => !this.cachedOwner(o, meta.namespace) || isDeletingDependents(this.cachedOwner(o, meta.namespace)!.obj))) {
      this.queue.add(uid);
    }
  }

  /** Owners deleting in the foreground re-check whether this dependent still blocks them. */
  private wakeForegroundOwners(obj: KubeObject): void {
    for (const o of ownersOf(obj)) {
      const owner = o.uid ? this.graph.get(o.uid) : undefined;
      if (owner && isDeletingDependents(owner.obj)) this.queue.add(owner.uid);
    }
  }

  /** The owner as cached, if the cache holds that uid where the reference can point. */
  private cachedOwner(ref: OwnerReference, dependentNamespace: string | undefined): GraphNode | undefined {
    const node = ref.uid ? this.graph.get(ref.uid) : undefined;
    if (!node) return undefined;
    // A namespaced owner must live in its dependent's namespace.
    if (node.ref.namespaced && node.namespace !== dependentNamespace) return undefined;
    return node;
  }

  reconcile = async (uid: string): Promise<ReconcileResult> => {
    const node = this.graph.get(uid);
    if (!node) return; // gone; its deletion queued whatever depended on it
    const cached = node.obj;

    if (cached.metadata?.deletionTimestamp) {
      if (!hasFinalizer(cached, ORPHAN_FINALIZER) && !hasFinalizer(cached, FOREGROUND_FINALIZER)) return;
      const live = await this.getLive(node.ref, node.namespace, node.name, uid);
      if (!live?.metadata?.deletionTimestamp) return;
      if (hasFinalizer(live, ORPHAN_FINALIZER)) return this.orphanDependents(node, live);
      if (hasFinalizer(live, FOREGROUND_FINALIZER)) return this.deleteDependentsFirst(node, live);
      return;
    }

    const owners = ownersOf(cached);
    if (!owners.length) return;
    // Every owner cached and not going away: nothing to do, and nothing to ask the server.
    if (owners.every((o) => { const c = this.cachedOwner(o, node.namespace); return c && !isDeletingDependents(c.obj); })) return;

    const live = await this.getLive(node.ref, node.namespace, node.name, uid);
    if (!live || live.metadata?.deletionTimestamp) return;
    return this.collectDependent(node, live);
  };

  /** The object as stored now, or undefined if it is gone or was replaced by another of that name. */
  private async getLive(ref: ResourceRef, namespace: string | undefined, name: string, uid: string): Promise<KubeObject | undefined> {
    try {
      const obj = await this.client.resource(ref).get(ref.namespaced ? namespace : undefined, name);
      return obj.metadata?.uid === uid ? obj : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** What one owner reference of a dependent points at, confirmed against the server when not cached. */
  private async ownerState(ref: OwnerReference, dependent: KubeObject): Promise<OwnerState | 'unresolvable'> {
    const ns = dependent.metadata?.namespace || undefined;
    const cached = this.cachedOwner(ref, ns);
    if (cached) return isDeletingDependents(cached.obj) ? 'waiting' : 'solid';
    const absentKey = `${ns ?? ''}|${ref.uid}`;
    if (this.absentOwners.has(absentKey)) return 'dangling';
    let rt: ResourceRef;
    try {
      rt = resourceForKind(ref.apiVersion, ref.kind);
    } catch {
      return 'unresolvable';
    }
    if (rt.namespaced && !ns) {
      this.recorder.event(dependent, 'Warning', 'OwnerRefInvalidNamespace',
        `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: , name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace ""`);
      return 'unresolvable';
    }
    try {
      const owner = await this.client.resource(rt).get(rt.namespaced ? ns : undefined, ref.name);
      if (owner.metadata?.uid !== ref.uid) return this.markAbsent(absentKey);
      return isDeletingDependents(owner) ? 'waiting' : 'solid';
    } catch (e) {
      if (isNotFound(e)) return this.markAbsent(absentKey);
      throw e;
    }
  }

  private markAbsent(key: string): 'dangling' {
    this.absentOwners.set(key, true);
    if (this.absentOwners.size > ABSENT_OWNERS_KEPT) this.absentOwners.delete(this.absentOwners.keys().next().value!);
    return 'dangling';
  }

  /** A dependent not being deleted: delete it when no owner holds it, or drop references to owners that are gone. */
  private async collectDependent(node: GraphNode, live: KubeObject): Promise<ReconcileResult> {
    const refs = ownersOf(live);
    if (!refs.length) return;
    const states = await Promise.all(refs.map((r) => this.ownerState(r, live)));
    const solid = refs.filter((_, i) => states[i] === 'solid' || states[i] === 'unresolvable');
    const dangling = refs.filter((_, i) => states[i] === 'dangling');
    const waiting = refs.filter((_, i) => states[i] === 'waiting');

    if (solid.length) {
      if (!dangling.length && !waiting.length) return;
      // Kept by a live owner: only the references to owners that are gone or going are dropped.
      const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
      await this.setOwnerReferences(node, live, refs.filter((r) => !drop.has(r.uid)));
      this.log.info('removed owner references to absent or deleting owners', { object: describe(node), owners: [...drop] });
      return;
    }

    const pre = { uid: live.metadata?.uid, resourceVersion: live.metadata?.resourceVersion };
    if (waiting.length && this.graph.dependentsOf(node.uid).length) {
      // It has dependents of its own, so it goes in the foreground too. If one of those is itself
      // waiting on its dependents, stop blocking the owners first, so a cycle cannot deadlock.
      if (this.graph.dependentsOf(node.uid).some((d) => isDeletingDependents(d.obj))) {
        const waitingUids = new Set(waiting.map((r) => r.uid));
        const unblocked = refs.map((r) => (waitingUids.has(r.uid) && r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
        const patched = await this.setOwnerReferences(node, live, unblocked);
        if (!patched) return;
        pre.resourceVersion = patched.metadata?.resourceVersion;
      }
      await this.deleteObject(node, { propagationPolicy: 'Foreground', preconditions: pre });
      this.log.info('deleting dependent in the foreground: its owners are deleting dependents', { object: describe(node) });
      return;
    }

    const policy: DeleteOptions['propagationPolicy'] = hasFinalizer(live, ORPHAN_FINALIZER) ? 'Orphan'
      : hasFinalizer(live, FOREGROUND_FINALIZER) ? 'Foreground' : 'Background';
    await this.deleteObject(node, { propagationPolicy: policy, preconditions: pre });
    this.log.info('deleted object whose owners are all gone', { object: describe(node), policy });
  }

  /** An owner deleting in the foreground: its dependents go first; those blocking it must be gone. */
  private async deleteDependentsFirst(node: GraphNode, live: KubeObject): Promise<ReconcileResult> {
    const dependents = this.graph.dependentsOf(node.uid);
    const blocking = dependents.filter((d) => ownersOf(d.obj).some((r) => r.uid === node.uid && r.blockOwnerDeletion));
    if (!blocking.length) {
      await this.removeFinalizer(node, live, FOREGROUND_FINALIZER);
      this.log.info('dependents gone, releasing foreground deletion', { object: describe(node) });
      return;
    }
    for (const d of dependents) this.queue.add(d.uid);
  }

  /** An owner deleting with orphaning: its dependents lose the reference, then the owner may go. */
  private async orphanDependents(node: GraphNode, live: KubeObject): Promise<ReconcileResult> {
    const dependents = this.graph.dependentsOf(node.uid);
    const failures: unknown[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < dependents.length) {
        const d = dependents[next++]!;
        try {
          const cur = await this.getLive(d.ref, d.namespace, d.name, d.uid);
          if (!cur) continue;
          const refs = ownersOf(cur);
          if (!refs.some((r) => r.uid === node.uid)) continue;
          await this.setOwnerReferences(d, cur, refs.filter((r) => r.uid !== node.uid));
        } catch (e) {
          failures.push(e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PATCH_CONCURRENCY, dependents.length) }, worker));
    if (failures.length) throw failures[0];
    await this.removeFinalizer(node, live, ORPHAN_FINALIZER);
    this.log.info('orphaned dependents', { object: describe(node), dependents: dependents.length });
  }

  /** Writes the owner references, guarded by the version read; undefined if the object is gone. */
  private async setOwnerReferences(node: GraphNode, live: KubeObject, refs: OwnerReference[]): Promise<KubeObject | undefined> {
    try {
      return await this.client.resource(node.ref).patch(node.ref.namespaced ? node.namespace : undefined, node.name, {
        metadata: { resourceVersion: live.metadata?.resourceVersion, ownerReferences: refs.length ? refs : null },
      }, 'merge');
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async removeFinalizer(node: GraphNode, live: KubeObject, finalizer: string): Promise<void> {
    const finalizers = (live.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    try {
      await this.client.resource(node.ref).patch(node.ref.namespaced ? node.namespace : undefined, node.name, {
        metadata: { resourceVersion: live.metadata?.resourceVersion, finalizers: finalizers.length ? finalizers : null },
      }, 'merge');
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }

  private async deleteObject(node: GraphNode, opts: DeleteOptions): Promise<void> {
    try {
      await this.client.resource(node.ref).delete(node.ref.namespaced ? node.namespace : undefined, node.name, opts);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }
}

function describe(node: GraphNode): string {
  const kind = node.ref.group ? `${node.ref.kind}.${node.ref.group}` : node.ref.kind;
  return `${kind} ${node.namespace ? `${node.namespace}/` : ''}${node.name}`;
}
