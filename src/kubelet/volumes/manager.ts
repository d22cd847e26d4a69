// The kubelet's volumes for one node: sets up every volume of a pod under
// `pods/<uid>/volumes/<plugin>/<volume>` (or resolves it to a host path), keeps the projected
// contents current, and unmounts and removes it all when the pod goes.
import { chmod, mkdir, realpath, rm } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Node, Pod, Secret, Volume, VolumeProjection } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import type { Logger } from '../../apimachinery/log.js';
import { parseQuantity } from '../../apimachinery/quantity.js';
import { isNotFound } from '../../client/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { ApiClient } from '../../client/rest.js';
import { podVolumeDir, type AgentPaths } from '../paths.js';
import { writeAtomically, type Payload } from './atomic-writer.js';
import { resolveClaim } from './claims.js';
import type { Allocatable } from './downward.js';
import { checkHostPathType } from './hostpath.js';
import { memoryVolumeSize } from './memory-size.js';
import { SystemMounter, type Mounter } from './mounter.js';
import type { VolumeInfo } from './mounts.js';
import { configMapPayload, DEFAULT_MODE, downwardAPIPayload, needsAllocatable, secretPayload } from './projections.js';
import { apiTokenSource, TokenCache, type TokenSource } from './tokens.js';

export const PLUGINS = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
  local: 'kubernetes.io~local-volume',
} as const;

const DEFAULT_TOKEN_SECONDS = 3600;

export interface VolumeManagerOptions {
  client: ApiClient;
  clock: Clock;
  logger: Logger;
  paths: AgentPaths;
  /** Injectable for unit tests; the default runs mount(8)/umount(8). */
  mount?: Mounter;
  /** Where service account tokens come from; the default is the TokenRequest API. */
  tokens?: TokenSource;
}

type Obj<T> = T & KubeObject;

/** The kinds whose contents are written by the kubelet (and rewritten by refresh). */
function isProjectedKind(v: Volume): boolean {
  return Boolean(v.configMap || v.secret || v.downwardAPI || v.projected);
}

export class VolumeManager {
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly paths: AgentPaths;
  private readonly mounter: Mounter;
  private readonly tokens: TokenCache;
  private readonly pods = new Map<string, { pod: Pod; timer?: { cancel(): void } }>();
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(opts: VolumeManagerOptions) {
    this.client = opts.client;
    this.clock = opts.clock;
    this.logger = opts.logger.with({ component: 'volumes' });
    this.paths = opts.paths;
    this.mounter = opts.mount ?? new SystemMounter();
    this.tokens = new TokenCache(opts.tokens ?? apiTokenSource(opts.client), () => this.clock.now());
  }

  /** Sets up every volume of the pod; volume name → what to bind-mount. Idempotent. */
  setUp(pod: Pod): Promise<Map<string, VolumeInfo>> {
    const uid = podUid(pod);
    return this.serialize(uid, async () => {
      this.remember(pod);
      const out = new Map<string, VolumeInfo>();
      const ctx = new SetUpContext(this, pod);
      for (const v of pod.spec?.volumes ?? []) {
        try {
          out.set(v.name, await this.setUpVolume(ctx, v));
        } catch (e) {
          throw new Error(`MountVolume.SetUp failed for volume ${JSON.stringify(v.name)} : ${(e as Error).message}`);
        }
      }
      this.scheduleTokenRefresh(uid);
      return out;
    });
  }

  /** Rewrites configMap, secret, downwardAPI and projected contents that changed. */
  refresh(pod: Pod): Promise<void> {
    const uid = podUid(pod);
    return this.serialize(uid, async () => {
      this.remember(pod);
      const ctx = new SetUpContext(this, pod);
      const errors: string[] = [];
      for (const v of pod.spec?.volumes ?? []) {
        if (!isProjectedKind(v)) continue;
        try {
          await this.setUpVolume(ctx, v);
        } catch (e) {
          errors.push(`volume ${JSON.stringify(v.name)}: ${(e as Error).message}`);
        }
      }
      this.scheduleTokenRefresh(uid);
      if (errors.length > 0) throw new Error(errors.join('; '));
    });
  }

  /** Unmounts everything under the pod's volumes directory, then removes it. */
  tearDown(uid: string): Promise<void> {
    return this.serialize(uid, async () => {
      const entry = this.pods.get(uid);
      entry?.timer?.cancel();
      this.pods.delete(uid);
      this.tokens.forgetPod(uid);
      const dir = join(this.paths.pods, uid, 'volumes');
      for (const point of await this.mounter.mountsUnder(dir)) await this.mounter.unmount(point);
      await rm(dir, { recursive: true, force: true });
    });
  }

  private serialize<T>(uid: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(uid) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.chains.set(uid, settled);
    void settled.then(() => {
      if (this.chains.get(uid) === settled) this.chains.delete(uid);
    });
    return run;
  }

  private remember(pod: Pod): void {
    const uid = podUid(pod);
    const entry = this.pods.get(uid);
    if (entry) entry.pod = pod;
    else this.pods.set(uid, { pod });
  }

  /** Renews the pod's tokens when the first of them reaches its renewal time. */
  private scheduleTokenRefresh(uid: string): void {
    const entry = this.pods.get(uid);
    if (!entry) return;
    entry.timer?.cancel();
    entry.timer = undefined;
    const at = this.tokens.nextRefresh(uid);
    if (at === undefined) return;
    entry.timer = this.clock.setTimeout(() => {
      const current = this.pods.get(uid);
      if (!current) return;
      this.refresh(current.pod).catch((e: Error) => this.logger.warn('refreshing volumes failed', { pod: uid, error: e.message }));
    }, Math.max(0, at - this.clock.now()));
  }

  private dir(ctx: SetUpContext, plugin: string, name: string): string {
    return podVolumeDir(this.paths, podUid(ctx.pod), plugin, name);
  }

  private async ensureTmpfs(dir: string, sizeBytes: number | undefined): Promise<void> {
    await mkdir(dir, { recursive: true });
    const real = await realpath(dir);
    if ((await this.mounter.mountsUnder(dir)).some((p) => p === dir || p === real)) return;
    await this.mounter.mountTmpfs(dir, { sizeBytes });
  }

  private async setUpVolume(ctx: SetUpContext, v: Volume): Promise<VolumeInfo> {
    if (v.hostPath) {
      await checkHostPathType(v.hostPath.path, v.hostPath.type);
      return { hostPath: v.hostPath.path, readOnly: false, kind: 'hostPath' };
    }
    if (v.persistentVolumeClaim || v.ephemeral) {
      const claim = await resolveClaim(this.client, ctx.pod, v);
      return { hostPath: claim.hostPath, readOnly: claim.readOnly, kind: 'persistentVolumeClaim' };
    }
    if (v.emptyDir) {
      const dir = this.dir(ctx, PLUGINS.emptyDir, v.name);
      await mkdir(dir, { recursive: true });
      if (v.emptyDir.medium === 'Memory') {
        await this.ensureTmpfs(dir, memoryVolumeSize(ctx.pod, v.emptyDir.sizeLimit, await ctx.allocatableMemory()));
      }
      await chmod(dir, 0o777);
      return { hostPath: dir, readOnly: false, kind: 'emptyDir' };
    }
    if (v.configMap) {
      const dir = this.dir(ctx, PLUGINS.configMap, v.name);
      const cm = await ctx.configMap(v.configMap.name ?? '', Boolean(v.configMap.optional));
      await this.write(dir, configMapPayload(cm, v.configMap, v.configMap.defaultMode ?? DEFAULT_MODE));
      return { hostPath: dir, readOnly: true, kind: 'configMap' };
    }
    if (v.secret) {
      const dir = this.dir(ctx, PLUGINS.secret, v.name);
      const secret = await ctx.secret(v.secret.secretName ?? '', Boolean(v.secret.optional));
      const payload = secretPayload(secret, v.secret, v.secret.defaultMode ?? DEFAULT_MODE);
      // Secrets never touch the node's disk: the volume is a small tmpfs, as the kubelet makes it.
      await this.ensureTmpfs(dir, memoryVolumeSize(ctx.pod, undefined, await ctx.allocatableMemory()));
      await this.write(dir, payload);
      return { hostPath: dir, readOnly: true, kind: 'secret' };
    }
    if (v.downwardAPI) {
      const dir = this.dir(ctx, PLUGINS.downwardAPI, v.name);
      const alloc = needsAllocatable(v.downwardAPI.items) ? await ctx.allocatable() : {};
      await this.write(dir, downwardAPIPayload(ctx.pod, v.downwardAPI.items, v.downwardAPI.defaultMode ?? DEFAULT_MODE, alloc));
      return { hostPath: dir, readOnly: true, kind: 'downwardAPI' };
    }
    if (v.projected) {
      const dir = this.dir(ctx, PLUGINS.projected, v.name);
      const payload = await this.projectedPayload(ctx, v.projected.sources ?? [], v.projected.defaultMode ?? DEFAULT_MODE);
      await this.ensureTmpfs(dir, memoryVolumeSize(ctx.pod, undefined, await ctx.allocatableMemory()));
      await this.write(dir, payload);
      return { hostPath: dir, readOnly: true, kind: 'projected' };
    }
    const kind = Object.keys(v).find((k) => k !== 'name') ?? 'none';
    throw new Error(`volume type ${JSON.stringify(kind)} is not supported by this node`);
  }

  private async projectedPayload(ctx: SetUpContext, sources: VolumeProjection[], defaultMode: number): Promise<Payload> {
    const out: Payload = new Map();
    const ns = ctx.pod.metadata?.namespace ?? 'default';
    for (const s of sources) {
      if (s.configMap) {
        const name = s.configMap.name ?? '';
        let cm: ConfigMap | undefined;
        try {
          cm = await ctx.configMap(name, Boolean(s.configMap.optional));
        } catch (e) {
          throw new Error(`couldn't get configMap ${ns}/${name}: ${(e as Error).message}`);
        }
        configMapPayload(cm, s.configMap, defaultMode, out);
      } else if (s.secret) {
        const name = s.secret.name ?? '';
        let secret: Secret | undefined;
        try {
          secret = await ctx.secret(name, Boolean(s.secret.optional));
        } catch (e) {
          throw new Error(`couldn't get secret ${ns}/${name}: ${(e as Error).message}`);
        }
        secretPayload(secret, s.secret, defaultMode, out);
      } else if (s.downwardAPI) {
        const alloc = needsAllocatable(s.downwardAPI.items) ? await ctx.allocatable() : {};
        downwardAPIPayload(ctx.pod, s.downwardAPI.items, defaultMode, alloc, out);
      } else if (s.serviceAccountToken) {
        const t = s.serviceAccountToken;
        const token = await this.tokens.get({
          namespace: ns,
          serviceAccount: ctx.pod.spec?.serviceAccountName || 'default',
          audiences: t.audience ? [t.audience] : [],
          expirationSeconds: t.expirationSeconds ?? DEFAULT_TOKEN_SECONDS,
          pod: { name: ctx.pod.metadata?.name ?? '', uid: podUid(ctx.pod) },
        });
        out.set(t.path, { data: Buffer.from(token, 'utf8'), mode: defaultMode });
      } else if (s.clusterTrustBundle) {
        throw new Error('clusterTrustBundle projections are not supported by this node');
      }
    }
    return out;
  }

  private async write(dir: string, payload: Payload): Promise<void> {
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o755);
    await writeAtomically(dir, payload, this.clock.now());
  }

  /** Objects one setUp or refresh needs, each fetched once. */
  fetchConfigMap(ns: string, name: string): Promise<ConfigMap> {
    return this.client.kind<Obj<ConfigMap>>('v1', 'ConfigMap').get(ns, name);
  }

  fetchSecret(ns: string, name: string): Promise<Secret> {
    return this.client.kind<Obj<Secret>>('v1', 'Secret').get(ns, name);
  }

  async fetchAllocatable(nodeName: string | undefined): Promise<Allocatable> {
    if (nodeName) {
      try {
        const node = await this.client.kind<Obj<Node>>('v1', 'Node').get(undefined, nodeName);
        if (node.status?.allocatable) return node.status.allocatable as Allocatable;
      } catch (e) {
        this.logger.debug('node allocatable unavailable, using the machine', { node: nodeName, error: (e as Error).message });
      }
    }
    return { memory: totalmem(), cpu: cpus().length };
  }
}

class SetUpContext {
  private readonly cms = new Map<string, Promise<ConfigMap | undefined>>();
  private readonly secrets = new Map<string, Promise<Secret | undefined>>();
  private alloc?: Promise<Allocatable>;

  constructor(private readonly owner: VolumeManager, readonly pod: Pod) {}

  private get ns(): string {
    return this.pod.metadata?.namespace ?? 'default';
  }

  /** The configMap, or undefined when it is missing and optional. */
  async configMap(name: string, optional: boolean): Promise<ConfigMap | undefined> {
    if (!this.cms.has(name)) this.cms.set(name, this.owner.fetchConfigMap(this.ns, name).catch(missing));
    const cm = await this.cms.get(name)!;
    if (!cm && !optional) return this.owner.fetchConfigMap(this.ns, name); // rethrows the NotFound
    return cm;
  }

  async secret(name: string, optional: boolean): Promise<Secret | undefined> {
    if (!this.secrets.has(name)) this.secrets.set(name, this.owner.fetchSecret(this.ns, name).catch(missing));
    const s = await this.secrets.get(name)!;
    if (!s && !optional) return this.owner.fetchSecret(this.ns, name);
    return s;
  }

  allocatable(): Promise<Allocatable> {
    this.alloc ??= this.owner.fetchAllocatable(this.pod.spec?.nodeName);
    return this.alloc;
  }

  async allocatableMemory(): Promise<number | undefined> {
    const m = (await this.allocatable()).memory;
    return m === undefined ? undefined : parseQuantity(String(m)).value();
  }
}

function missing(e: unknown): undefined {
  if (isNotFound(e)) return undefined;
  throw e;
}

function podUid(pod: Pod): string {
  const uid = pod.metadata?.uid;
  if (!uid) throw new Error(`pod ${pod.metadata?.namespace}/${pod.metadata?.name} has no uid`);
  return uid;
}
