// The local-path provisioner each node agent runs for its own node: a claim of a class served by
// `kite.io/local-path` whose pod the scheduler put here becomes a directory under the agent's
// data dir and a PersistentVolume bound in advance to the claim (the PV controller completes the
// binding); a released volume of this node with reclaim policy Delete loses its directory, then
// its object. Level-triggered from informers, so a restarted agent picks up where it stopped.
import { chmod, mkdir, rm } from 'node:fs/promises';
import type { Clock } from '../../../apimachinery/clock.js';
import type { Logger } from '../../../apimachinery/log.js';
import type { EventRecorder } from '../../../client/controller.js';
import { isAlreadyExists, isNotFound } from '../../../client/errors.js';
import { createEventRecorder } from '../../../client/events.js';
import { objectKey, type Informer } from '../../../client/informer-types.js';
import { createInformerFactory } from '../../../client/informers.js';
import { resourceForKind, type ApiClient } from '../../../client/rest.js';
import { runWorkers } from '../../../client/runner.js';
import { WorkQueue } from '../../../client/workqueue.js';
import {
  ANN_SELECTED_NODE, LOCAL_PATH_PROVISIONER, claimClass, isOursToDelete, isOursToProvision, ownedDirectory, provisionedVolume,
  unsupportedClaim, volumeDirFor, volumeNameFor, type Pv, type Pvc, type StorageClass,
} from './volume.js';

export interface LocalPathProvisionerOptions {
  client: ApiClient;
  clock: Clock;
  logger: Logger;
  nodeName: string;
  /** Where volumes are made: the agent's `paths.localPath`. */
  dir: string;
  /** Default: Events reported as `kite.io/local-path` from this node. */
  recorder?: EventRecorder;
}

const CLAIM = 'claim:';
const VOLUME = 'volume:';

export class LocalPathProvisioner {
  /** Resolves once the claims, volumes and classes are listed. */
  readonly ready: Promise<void>;
  private markReady!: () => void;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;

  constructor(private readonly opts: LocalPathProvisionerOptions) {
    this.log = opts.logger.with({ component: 'local-path-provisioner', node: opts.nodeName });
    this.recorder = opts.recorder
      ?? createEventRecorder(opts.client, { component: LOCAL_PATH_PROVISIONER, host: opts.nodeName, clock: opts.clock, logger: opts.logger });
    this.ready = new Promise((resolve) => { this.markReady = resolve; });
  }

  /** Runs until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    const o = this.opts;
    const informers = createInformerFactory(o.client, { clock: o.clock, logger: o.logger });
    const claims = informers.informer<Pvc>(resourceForKind('v1', 'PersistentVolumeClaim'));
    const volumes = informers.informer<Pv>(resourceForKind('v1', 'PersistentVolume'));
    const classes = informers.informer<StorageClass>(resourceForKind('storage.k8s.io/v1', 'StorageClass'));
    const queue = new WorkQueue({ clock: o.clock, name: 'local-path' });
    claims.addEventHandler({ onAdd: (c) => queue.add(CLAIM + objectKey(c)), onUpdate: (_o, c) => queue.add(CLAIM + objectKey(c)) });
    volumes.addEventHandler({ onAdd: (v) => queue.add(VOLUME + objectKey(v)), onUpdate: (_o, v) => queue.add(VOLUME + objectKey(v)) });
    informers.start(signal);
    await informers.waitForSync(signal).catch(() => undefined);
    if (signal.aborted) {
      queue.shutDown();
      await informers.stopped();
      return;
    }
    this.markReady();
    const sync = async (key: string): Promise<void> => {
      if (key.startsWith(CLAIM)) {
        const pvc = claims.store.get(key.slice(CLAIM.length));
        if (pvc) await this.syncClaim(pvc, classes, volumes);
      } else {
        const pv = volumes.store.get(key.slice(VOLUME.length));
        if (pv) await this.syncVolume(pv);
      }
    };
    await runWorkers(queue, sync, {
      workers: 2, signal,
      onError: (key, err) => this.log.warn('local-path sync failed', { key, error: String(err) }),
    });
    await informers.stopped();
  }

  private async syncClaim(pvc: Pvc, classes: Informer<StorageClass>, volumes: Informer<Pv>): Promise<void> {
    const o = this.opts;
    const sc = classes.store.get(claimClass(pvc));
    if (!sc || !isOursToProvision(pvc, sc, o.nodeName)) return;
    const name = volumeNameFor(pvc);
    // Made already (by this agent before a restart): the PV controller binds it.
    if (volumes.store.get(name)) return;
    const claimObj = { ...pvc, apiVersion: 'v1', kind: 'PersistentVolumeClaim' };
    const key = objectKey(pvc);
    this.recorder.event(claimObj, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${key}"`);
    const failed = (message: string) =>
      this.recorder.event(claimObj, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata?.name}": ${message}`);
    const why = unsupportedClaim(pvc);
    if (why) {
      failed(why);
      await this.reschedule(pvc);
      return;
    }
    const dir = volumeDirFor(o.dir, pvc);
    try {
      await mkdir(dir, { recursive: true });
      // As k3s does: containers running as any user can write to the volume.
      await chmod(dir, 0o777);
      await o.client.kind<Pv>('v1', 'PersistentVolume').create(undefined, provisionedVolume(pvc, sc, o.nodeName, dir));
    } catch (e) {
      if (!isAlreadyExists(e)) {
        failed((e as Error).message);
        throw e;
      }
    }
    this.log.info('volume provisioned', { claim: key, volume: name, path: dir });
    this.recorder.event(claimObj, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`);
  }

  /** Gives the claim back to the scheduler, which picks a node again (and may come back here). */
  private async reschedule(pvc: Pvc): Promise<void> {
    const annotations = { ...(pvc.metadata?.annotations ?? {}) };
    delete annotations[ANN_SELECTED_NODE];
    try {
      await this.opts.client.kind<Pvc>('v1', 'PersistentVolumeClaim').update(pvc.metadata?.namespace, { ...pvc, metadata: { ...pvc.metadata, annotations } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private async syncVolume(pv: Pv): Promise<void> {
    const o = this.opts;
    if (!isOursToDelete(pv, o.nodeName)) return;
    const name = pv.metadata?.name ?? '';
    const dir = ownedDirectory(pv, o.dir);
    if (dir) await rm(dir, { recursive: true, force: true });
    else this.log.warn('volume path is not one this provisioner made: the directory is kept', { volume: name, path: pv.spec?.hostPath?.path });
    try {
      await o.client.kind<Pv>('v1', 'PersistentVolume').delete(undefined, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    this.log.info('volume deleted', { volume: name, path: dir });
  }
}
