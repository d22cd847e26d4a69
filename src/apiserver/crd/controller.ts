// The CRD status loop inside the API server: watches the CustomResourceDefinition store and, for
// every CRD, accepts names (NamesAccepted), establishes it (Established), records the storage
// version in status.storedVersions, serves its versions once established (updated when they
// change, removed when the CRD goes), and cleans up terminating CRDs.
import type { Logger } from '../../apimachinery/log.js';
import type { Clock } from '../../apimachinery/clock.js';
import { formatTime } from '../../apimachinery/duration.js';
import type { ResourceType } from '../../api/types.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceStore } from '../registry/store.js';
import type { RequestContext } from '../registry/strategy.js';
import { CLEANUP_FINALIZER, deleteAllObjects, installCleanupOnDelete } from './cleanup.js';
import { customResourceInfo, servedResourceTypes, storageVersionOf, type CRD } from './custom-resource-type.js';
import { conditionOf, decideNames, isEstablished, setCondition } from './names.js';
import { addCustomResource } from './custom-resource-store.js';
import { installStoredVersionRecording } from './stored-versions.js';
import { endWatches } from '../watch.js';

export const CRD_GROUP = 'apiextensions.k8s.io';
const RETRY_MS = 1000;

interface Served { signature: string; resources: ResourceType[] }

export class CustomResourceController {
  private readonly served = new Map<string, Served>();
  private running?: Promise<void>;
  private dirty = false;
  private retry?: { cancel(): void };
  private stopped = false;

  constructor(
    private readonly registry: Registry,
    private readonly crds: ResourceStore,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    installCleanupOnDelete(crds);
    installStoredVersionRecording(crds);
  }

  /** Serves the established CRDs, then follows changes until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    const rv = await this.crds.currentRevision();
    await this.sync();
    const watch = () => this.crds.watchStorage(undefined, {
      startRevision: rv + 1,
      onEvents: () => this.kick(),
      onError: () => { if (!this.stopped) { current = watch(); this.kick(); } },
    });
    let current = watch();
    signal.addEventListener('abort', () => { this.stopped = true; current.cancel(); this.retry?.cancel(); }, { once: true });
  }

  /** Runs a sync now, or once more after the one in flight. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) { this.dirty = true; return; }
    this.running = this.sync()
      .catch((e) => this.log.error('custom resource sync failed', { error: String((e as Error)?.stack ?? e) }))
      .finally(() => {
        this.running = undefined;
        if (this.dirty) { this.dirty = false; this.kick(); }
      });
  }

  /** Resolves once no sync is running or pending (for tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private ctx(): RequestContext {
    return { user: { name: 'system:apiserver', groups: ['system:masters'] }, now: this.clock.now(), dryRun: false };
  }

  private builtins(): ResourceType[] {
    return this.registry.all().map((s) => s.rt).filter((rt) => !customResourceInfo(rt));
  }

  async sync(): Promise<void> {
    const list = await this.crds.list(undefined, {});
    const crds = (list.items as CRD[]).sort((a, b) =>
      (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    let pending = false;
    for (let i = 0; i < crds.length; i++) {
      const crd = crds[i];
      try {
        if (crd.metadata?.deletionTimestamp) {
          if (await this.finalize(crd)) pending = true;
          continue;
        }
        crds[i] = await this.updateStatus(crd, crds);
      } catch (e) {
        if ((e as { code?: number }).code !== 404 && (e as { code?: number }).code !== 409) throw e;
        pending = true;
      }
    }
    this.serve(crds);
    if (pending && !this.stopped) {
      this.retry?.cancel();
      this.retry = this.clock.setTimeout(() => this.kick(), RETRY_MS);
    }
  }

  /** NamesAccepted, Established and storedVersions, written when they change. */
  private async updateStatus(crd: CRD, all: CRD[]): Promise<CRD> {
    const now = formatTime(this.clock.now());
    const status = structuredClone(crd.status ?? {});
    status.conditions ??= [];
    let changed = false;
    const { acceptedNames, namesAccepted } = decideNames(crd, all, this.builtins());
    if (JSON.stringify(acceptedNames) !== JSON.stringify(status.acceptedNames ?? {})) {
      status.acceptedNames = acceptedNames;
      changed = true;
    }
    changed = setCondition(status.conditions, namesAccepted, now) || changed;
    if (namesAccepted.status === 'True' && conditionOf(crd, 'Established')?.status !== 'True') {
      changed = setCondition(status.conditions, {
        type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted',
      }, now) || changed;
    } else if (!conditionOf(crd, 'Established')) {
      changed = setCondition(status.conditions, {
        type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted',
      }, now) || changed;
    }
    const storage = storageVersionOf(crd);
    if (storage && !(status.storedVersions ?? []).includes(storage)) {
      status.storedVersions = [...(status.storedVersions ?? []), storage];
      changed = true;
    }
    if (!changed) return crd;
    const { object } = await this.crds.guaranteedUpdate(undefined, crd.metadata!.name!, this.ctx(), (current) => {
      if (current.metadata?.uid !== crd.metadata?.uid) return current;
      (current as CRD).status = status;
      return current;
    }, { subresource: 'system' });
    return object as CRD;
  }

  /** Deletes a terminating CRD's objects; returns true while some remain. */
  private async finalize(crd: CRD): Promise<boolean> {
    if (!crd.metadata?.finalizers?.includes(CLEANUP_FINALIZER)) return false;
    const name = crd.metadata.name!;
    this.markTerminating(name);
    const storage = storageVersionOf(crd);
    const store = storage && crd.spec?.group !== undefined
      ? this.registry.lookup(crd.spec.group, storage, (crd.status?.acceptedNames ?? crd.spec.names)?.plural ?? '')
      : undefined;
    const ours = store && customResourceInfo(store.rt)?.crdName === name ? store : undefined;
    const now = formatTime(this.clock.now());
    let remaining = 0;
    let failure: string | undefined;
    if (ours) {
      try {
        remaining = await deleteAllObjects(ours, this.ctx());
      } catch (e) {
        failure = `could not delete instances: ${(e as Error).message}`;
      }
    }
    const done = remaining === 0 && !failure;
    await this.crds.guaranteedUpdate(undefined, name, this.ctx(), (current) => {
      const c = current as CRD;
      c.status ??= {};
      c.status.conditions ??= [];
      if (done) {
        setCondition(c.status.conditions, { type: 'Terminating', status: 'False', reason: 'InstanceDeletionCompleted', message: 'removed all instances' }, now);
        c.metadata!.finalizers = (c.metadata!.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER);
      } else {
        setCondition(c.status.conditions, failure
          ? { type: 'Terminating', status: 'True', reason: 'InstanceDeletionFailed', message: failure }
          : { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' }, now);
      }
      return current;
    }, { subresource: 'system' });
    return !done;
  }

  private markTerminating(crdName: string): void {
    for (const rt of this.served.get(crdName)?.resources ?? []) {
      const info = customResourceInfo(rt);
      if (info) info.terminating = true;
    }
  }

  /** Brings the registry in line with the established CRDs. */
  private serve(crds: CRD[]): void {
    const wanted = new Map<string, CRD>();
    for (const crd of crds) if (isEstablished(crd) && crd.metadata?.name) wanted.set(crd.metadata.name, crd);
    for (const [name, s] of this.served) {
      const crd = wanted.get(name);
      if (crd && signature(crd) === s.signature) continue;
      for (const rt of s.resources) {
        const store = this.registry.lookup(rt.group, rt.version, rt.plural);
        if (store?.rt !== rt) continue;
        this.registry.remove(rt.group, rt.version, rt.plural);
        // Watches on a resource no longer served (or served anew) end; clients list and watch again.
        endWatches(store);
      }
      this.served.delete(name);
    }
    const admission = this.crds.admission;
    for (const [name, crd] of wanted) {
      if (this.served.has(name)) continue;
      const resources = servedResourceTypes(crd).filter((rt) => {
        const existing = this.registry.lookup(rt.group, rt.version, rt.plural);
        return rt.plural && rt.kind && !existing;
      });
      for (const rt of resources) {
        const store = addCustomResource(this.registry, rt);
        store.admission = admission;
      }
      this.served.set(name, { signature: signature(crd), resources });
      if (crd.metadata?.deletionTimestamp) this.markTerminating(name);
    }
  }
}

/** What serving depends on: a change here re-registers the CRD's resources. */
function signature(crd: CRD): string {
  const s = crd.spec ?? {};
  return JSON.stringify([s.group, s.scope, s.versions, crd.status?.acceptedNames, storageVersionOf(crd)]);
}
