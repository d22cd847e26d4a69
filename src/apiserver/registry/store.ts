// The generic store behind every resource: objects in and out of the storage Backend with
// Kubernetes' create/update/delete semantics. Kinds differ only by their ResourceType and Strategy.
import type { Backend, KeyValue, Watch, WatchOptions } from '../../storage/backend.js';
import { CompactedError, ConflictError, FutureRevisionError, KeyExistsError, NotFoundError } from '../../storage/backend.js';
import type { KubeObject } from '../../apimachinery/object.js';
import {
  OBJECT_MODIFIED, StatusError, alreadyExists, badRequest, conflict, expired, invalid, notFound,
} from '../../apimachinery/status.js';
import type { ResourceType } from '../../api/types.js';
import { apiVersion } from '../../api/types.js';
import { formatTime } from '../../apimachinery/duration.js';
import { collectionPrefix, decodeObject, encodeObject, objectKey } from './keys.js';
import { deepEqual, fillCreateMeta, keepSystemMeta, specChanged } from './meta.js';
import type { RequestContext, Strategy } from './strategy.js';
import { validateCreate, validateUpdate } from './validate.js';
import type { ObjectFilter } from './filter.js';
import { recordManagedFields } from '../fieldmanager.js';

export interface ListQuery {
  filter?: ObjectFilter;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/**
 * Admission of new objects beyond the kind's own rules (LimitRanger, ResourceQuota): `mutate` runs
 * after defaulting, `validate` after validation and right before the write; what `validate`
 * returns is called once the write is done or has failed (to release what admission held).
 */
export interface CreateAdmission {
  mutate?(store: ResourceStore, namespace: string | undefined, obj: KubeObject, ctx: RequestContext): Promise<void>;
  validate?(store: ResourceStore, namespace: string | undefined, obj: KubeObject, ctx: RequestContext): Promise<(() => void) | void>;
  /** Mutating admission of an update (main resource or `status`), after the kind's update preparation. */
  mutateUpdate?(store: ResourceStore, namespace: string | undefined, obj: KubeObject, old: KubeObject, ctx: RequestContext, subresource?: string): Promise<void>;
  /** Validating admission of a changed object on update (Priority's one-default rule on the main resource). */
  validateUpdate?(store: ResourceStore, namespace: string | undefined, obj: KubeObject, old: KubeObject, ctx: RequestContext, subresource?: string): Promise<void>;
  /** Admission of a delete, with the stored object. */
  validateDelete?(store: ResourceStore, namespace: string | undefined, old: KubeObject, opts: DeleteOptions, ctx: RequestContext): Promise<void>;
}

/** How many times a read-modify-write retries on a storage conflict before giving up. */
const MAX_UPDATE_ATTEMPTS = 16;

export class ResourceStore {
  readonly apiVersion: string;
  readonly groupResource: string;
  /** Set by the server: the admission chain every create (and main-resource update) passes. */
  admission?: CreateAdmission;

  constructor(
    readonly rt: ResourceType,
    private readonly backend: Backend,
    readonly strategy: Strategy = {},
  ) {
    this.apiVersion = apiVersion(rt);
    this.groupResource = rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
  }

  private notFound(name: string): StatusError {
    return notFound(this.rt.group, this.rt.plural, name);
  }

  private stamp(obj: KubeObject): KubeObject {
    obj.apiVersion = this.apiVersion;
    obj.kind = this.rt.kind;
    return obj;
  }

  decode(kv: Pick<KeyValue, 'value' | 'modRevision'>): KubeObject {
    const obj = this.stamp(decodeObject(kv));
    this.strategy.prepareForRead?.(obj);
    return obj;
  }

  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.backend.get(objectKey(this.rt, namespace, name));
    if (!kv) throw this.notFound(name);
    return this.decode(kv);
  }

  async list(namespace: string | undefined, q: ListQuery): Promise<ListResult> {
    const prefix = collectionPrefix(this.rt, namespace);
    let revision = 0;
    let after: string | undefined;
    if (q.continueToken) {
      const token = decodeContinue(q.continueToken);
      revision = token.rv;
      after = prefix + token.start;
    } else if (q.resourceVersion && q.resourceVersionMatch === 'Exact') {
      revision = parseRV(q.resourceVersion);
    }
    const limit = q.limit && q.limit > 0 ? q.limit : 0;
    const items: KubeObject[] = [];
    let continueKey: string | undefined;
    try {
      for (;;) {
        const page = await this.backend.list(prefix, { revision: revision || undefined, limit: limit ? Math.max(limit, 64) : 0, after });
        revision = page.revision;
        let cut = false;
        for (let i = 0; i < page.items.length; i++) {
          const kv = page.items[i];
          after = kv.key;
          const obj = this.decode(kv);
          if (q.filter && !q.filter.matches(obj)) continue;
          items.push(obj);
          if (limit && items.length >= limit) {
            if (i < page.items.length - 1 || page.more) continueKey = kv.key;
            cut = true;
            break;
          }
        }
        if (cut || !page.more || !limit) break;
      }
    } catch (e) {
      if (e instanceof CompactedError && q.continueToken) {
        throw expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      }
      if (e instanceof CompactedError) throw expired(`too old resource version: ${revision} (${e.compacted})`);
      if (e instanceof FutureRevisionError) {
        throw new StatusError(504, 'Timeout', `Too large resource version: ${e.requested}, current: ${e.current}`, {
          causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1,
        });
      }
      throw e;
    }
    return {
      items,
      resourceVersion: String(revision),
      continueToken: continueKey ? encodeContinue(revision, continueKey.slice(prefix.length)) : undefined,
    };
  }

  async create(namespace: string | undefined, obj: KubeObject, ctx: RequestContext): Promise<KubeObject> {
    this.stamp(obj);
    const meta = obj.metadata ?? {};
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (this.rt.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    obj.metadata = meta;
    fillCreateMeta(obj, ctx.now, this.rt.tracksGeneration === true);
    this.rt.setDefaults?.(obj);
    await this.admission?.mutate?.(this, namespace, obj, ctx);
    await this.strategy.prepareForCreate?.(obj, { ...ctx, store: this });
    const errs = [...validateCreate(this.rt, obj), ...(this.strategy.validate?.(obj, undefined) ?? [])];
    if (errs.length) throw invalid(this.rt.group, this.rt.kind, meta.name ?? meta.generateName ?? '', errs);
    recordManagedFields(this.rt, this.apiVersion, undefined, obj, ctx);
    const release = await this.admission?.validate?.(this, namespace, obj, ctx);
    try {
      if (ctx.dryRun) return obj;
      const kv = await this.backend.create(objectKey(this.rt, namespace, meta.name!), encodeObject(obj));
      meta.resourceVersion = String(kv.modRevision);
      return obj;
    } catch (e) {
      if (e instanceof KeyExistsError) throw alreadyExists(this.rt.group, this.rt.plural, meta.name!);
      throw e;
    } finally {
      release?.();
    }
  }

  /**
   * Read-modify-write with optimistic concurrency, retried on storage conflicts. `mutate` gets a
   * fresh copy of the stored object and returns the desired one (or throws a StatusError).
   * Returns the stored result and whether anything was written.
   */
  async guaranteedUpdate(
    namespace: string | undefined,
    name: string,
    ctx: RequestContext,
    mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    opts: { subresource?: 'status' | 'system' } = {},
  ): Promise<{ object: KubeObject; changed: boolean }> {
    const key = objectKey(this.rt, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.backend.get(key);
      if (!kv) throw this.notFound(name);
      const current = this.decode(kv);
      const desired = this.stamp(await mutate(this.decode(kv)));
      const next = this.prepareUpdate(desired, current, ctx, opts.subresource);
      if (opts.subresource !== 'system') await this.admission?.mutateUpdate?.(this, namespace, next, current, ctx, opts.subresource);
      recordManagedFields(this.rt, this.apiVersion, current, next, ctx, opts.subresource);
      // System writes (binding, namespace finalization) change fields users may not; they are
      // checked by their handlers instead of the kind's update rules.
      const errs = opts.subresource === 'system' ? [] : [...validateUpdate(this.rt, next, current), ...(this.strategy.validate?.(next, current) ?? [])];
      if (errs.length) throw invalid(this.rt.group, this.rt.kind, name, errs);
      if (deepEqual(withoutRV(next), withoutRV(current))) return { object: current, changed: false };
      if (opts.subresource !== 'system') await this.admission?.validateUpdate?.(this, namespace, next, current, ctx, opts.subresource);
      const meta = next.metadata!;
      // An object whose deletion waited only on finalizers goes once the last one is removed.
      if (meta.deletionTimestamp && !(meta.finalizers?.length) && (meta.deletionGracePeriodSeconds ?? 0) === 0
        && !this.strategy.holdDeletion?.(next, ctx.now)) {
        if (ctx.dryRun) return { object: next, changed: true };
        try {
          const del = await this.backend.delete(key, kv.modRevision);
          next.metadata!.resourceVersion = String(del.modRevision);
          return { object: next, changed: true };
        } catch (e) {
          if ((e instanceof ConflictError || e instanceof NotFoundError) && attempt < MAX_UPDATE_ATTEMPTS) continue;
          throw e;
        }
      }
      if (ctx.dryRun) return { object: next, changed: true };
      try {
        const stored = await this.backend.update(key, encodeObject(next), kv.modRevision);
        meta.resourceVersion = String(stored.modRevision);
        return { object: next, changed: true };
      } catch (e) {
        if (e instanceof NotFoundError) throw this.notFound(name);
        if (e instanceof ConflictError && attempt < MAX_UPDATE_ATTEMPTS) continue;
        if (e instanceof ConflictError) throw conflict(this.rt.group, this.rt.plural, name, OBJECT_MODIFIED);
        throw e;
      }
    }
  }

  /** PUT semantics: the body replaces the object, guarded by its resourceVersion when given. */
  async update(namespace: string | undefined, name: string, obj: KubeObject, ctx: RequestContext, subresource?: 'status'): Promise<{ object: KubeObject; changed: boolean }> {
    const wantRV = obj.metadata?.resourceVersion;
    return this.guaranteedUpdate(namespace, name, ctx, (current) => {
      if (wantRV && wantRV !== current.metadata?.resourceVersion) {
        throw conflict(this.rt.group, this.rt.plural, name, OBJECT_MODIFIED);
      }
      return structuredClone(obj);
    }, { subresource });
  }

  private prepareUpdate(next: KubeObject, current: KubeObject, ctx: RequestContext, subresource?: 'status' | 'system'): KubeObject {
    const meta = (next.metadata ??= {});
    const old = current.metadata ?? {};
    if (meta.name !== undefined && meta.name !== old.name) {
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${old.name})`);
    }
    if (this.rt.namespaced && meta.namespace !== undefined && meta.namespace !== old.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.name = old.name;
    if (this.rt.namespaced) meta.namespace = old.namespace;
    keepSystemMeta(meta, old);
    // An unconditional update (no resourceVersion in the body) writes over the stored version.
    if (!meta.resourceVersion) meta.resourceVersion = old.resourceVersion;
    if (subresource === 'system') return next;
    if (subresource === 'status') {
      // A status write changes status only; everything else stays as stored.
      const status = next.status;
      const result = structuredClone(current);
      if (status === undefined) delete result.status;
      else result.status = status;
      result.metadata!.resourceVersion = meta.resourceVersion;
      return result;
    }
    this.rt.setDefaults?.(next);
    if (this.rt.hasStatus) {
      if (current.status === undefined) delete next.status;
      else next.status = structuredClone(current.status);
    }
    this.strategy.prepareForUpdate?.(next, current, ctx);
    if (this.rt.tracksGeneration && specChanged(next, current)) {
      meta.generation = (old.generation ?? 0) + 1;
    }
    return next;
  }

  async delete(namespace: string | undefined, name: string, opts: DeleteOptions, ctx: RequestContext): Promise<{ object: KubeObject; deleted: boolean }> {
    const key = objectKey(this.rt, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.backend.get(key);
      if (!kv) throw this.notFound(name);
      const current = this.decode(kv);
      const meta = current.metadata!;
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== meta.uid) {
        throw conflict(this.rt.group, this.rt.plural, name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
        throw conflict(this.rt.group, this.rt.plural, name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${meta.resourceVersion}`);
      }
      if (attempt === 0) await this.admission?.validateDelete?.(this, namespace, current, opts, ctx);
      const pending = this.pendingDeletion(current, opts, ctx.now);
      if (pending) {
        if (ctx.dryRun) return { object: pending, deleted: false };
        try {
          const stored = await this.backend.update(key, encodeObject(pending), kv.modRevision);
          pending.metadata!.resourceVersion = String(stored.modRevision);
          return { object: pending, deleted: false };
        } catch (e) {
          if ((e instanceof ConflictError || e instanceof NotFoundError) && attempt < MAX_UPDATE_ATTEMPTS) continue;
          throw e;
        }
      }
      if (ctx.dryRun) return { object: current, deleted: true };
      try {
        const del = await this.backend.delete(key, kv.modRevision);
        current.metadata!.resourceVersion = String(del.modRevision);
        return { object: current, deleted: true };
      } catch (e) {
        if (e instanceof NotFoundError) throw this.notFound(name);
        if (e instanceof ConflictError && attempt < MAX_UPDATE_ATTEMPTS) continue;
        throw e;
      }
    }
  }

  /**
   * The object as it should be stored when its deletion cannot finish now (finalizers, orphan or
   * foreground propagation, or a grace period), or undefined to delete it at once.
   */
  private pendingDeletion(current: KubeObject, opts: DeleteOptions, now: number): KubeObject | undefined {
    const next = structuredClone(current);
    const meta = next.metadata!;
    const finalizers = new Set(meta.finalizers ?? []);
    if (opts.propagationPolicy === 'Orphan') { finalizers.add('orphan'); finalizers.delete('foregroundDeletion'); }
    if (opts.propagationPolicy === 'Foreground') { finalizers.add('foregroundDeletion'); finalizers.delete('orphan'); }
    const grace = this.strategy.gracePeriodSeconds?.(current, opts.gracePeriodSeconds) ?? 0;
    const alreadyDeleting = Boolean(meta.deletionTimestamp);
    const held = this.strategy.holdDeletion?.(next, now) ?? false;
    // Finalizers the strategy added (a CRD's cleanup finalizer) join the others.
    for (const f of meta.finalizers ?? []) if (!current.metadata?.finalizers?.includes(f)) finalizers.add(f);
    if (finalizers.size === 0 && grace === 0 && !held) return undefined;
    if (finalizers.size > 0) meta.finalizers = [...finalizers];
    if (grace > 0) {
      // A shorter grace period than the one in force moves the deadline closer, never further.
      const deadline = now + grace * 1000;
      const prior = meta.deletionTimestamp ? Date.parse(meta.deletionTimestamp) : Infinity;
      if (deadline < prior) meta.deletionTimestamp = formatTime(deadline);
      meta.deletionGracePeriodSeconds = Math.min(grace, meta.deletionGracePeriodSeconds ?? grace);
    } else {
      meta.deletionTimestamp ??= formatTime(now);
      meta.deletionGracePeriodSeconds = 0;
    }
    if (alreadyDeleting && deepEqual(next, current)) return current;
    return next;
  }

  async currentRevision(): Promise<number> {
    return this.backend.currentRevision();
  }

  /** Storage events of this resource's objects (in `namespace`, or all) from `startRevision` on. */
  watchStorage(namespace: string | undefined, opts: WatchOptions): Watch {
    return this.backend.watch(collectionPrefix(this.rt, namespace), opts);
  }
}

function withoutRV(obj: KubeObject): KubeObject {
  const c = { ...obj, metadata: { ...obj.metadata } };
  delete c.metadata.resourceVersion;
  return c;
}

export function parseRV(rv: string): number {
  const n = Number(rv);
  if (!Number.isSafeInteger(n) || n < 0) throw badRequest(`invalid resource version "${rv}"`);
  return n;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string' || t.start.includes('..')) throw new Error('bad');
    return { rv: t.rv, start: t.start };
  } catch {
    throw badRequest('continue key is not valid: the continue token could not be decoded');
  }
}
