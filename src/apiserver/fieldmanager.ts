// managedFields on every write, and server-side apply, the way kube-apiserver's field manager does
// them: the store calls `recordManagedFields` on each create and update; the PATCH handler merges
// an applied configuration with `mergeAppliedConfig` and marks the request with `markApply`.
import type { KubeObject } from '../apimachinery/object.js';
import { StatusError, badRequest } from '../apimachinery/status.js';
import { formatTime } from '../apimachinery/duration.js';
import { FieldSet, fieldElement, untypedSchema, type TypeSchema } from '../apimachinery/fieldpath/index.js';
import {
  ApplyConflictError, LAST_APPLIED_ANNOTATION, LAST_APPLIED_MANAGER, allowedByLastApplied, appliedSet,
  applyOwnership, capUpdateManagers, decodeManagedFields, encodeManagedFields, hasLastApplied, isResetRequest,
  lastAppliedValue, mergeValues, pruneUnapplied, updateOwnership, type Managed, type Writer,
} from '../apimachinery/managedfields/index.js';
import { fieldSchemaFor } from '../api/field-schema.js';
import type { ResourceType } from '../api/types.js';
import { deepEqual } from './registry/meta.js';
import type { RequestContext } from './registry/strategy.js';

/** The manager that owns what an object had when it is first applied without managedFields. */
export const BEFORE_FIRST_APPLY_MANAGER = 'before-first-apply';

/** A write's manager without `fieldManager`: the User-Agent up to its first `/`, printable, 128 characters at most. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const head = (userAgent ?? '').split('/')[0];
  let out = '';
  for (const ch of head) {
    if (out.length >= 128) break;
    if (/\p{C}/u.test(ch)) continue;
    out += ch;
  }
  return out;
}

const fieldSchemas = new WeakMap<ResourceType, TypeSchema>();

/** Custom resources register the TypeSchema built from their CRD schema; built-ins use schemas.json. */
export function setFieldSchema(rt: ResourceType, schema: TypeSchema): void {
  fieldSchemas.set(rt, schema);
}

export function fieldSchemaOf(rt: ResourceType): TypeSchema {
  let s = fieldSchemas.get(rt);
  if (s) return s;
  try { s = fieldSchemaFor(rt.schema); } catch { s = untypedSchema; }
  fieldSchemas.set(rt, s);
  return s;
}

interface ApplyRequest { config: KubeObject; force: boolean }
const applies = new WeakMap<RequestContext, ApplyRequest>();

/** Marks a request's writes as an apply of `config` (by ctx.fieldManager). */
export function markApply(ctx: RequestContext, config: KubeObject, force: boolean): void {
  applies.set(ctx, { config, force });
}

/** The object as the field manager compares it: no managedFields. */
function content(obj: KubeObject | undefined): KubeObject {
  if (!obj) return {} as KubeObject;
  const c = { ...obj, metadata: { ...obj.metadata } };
  delete c.metadata.managedFields;
  return c;
}

function ignoredFields(rt: ResourceType, subresource: string | undefined, ...objs: (KubeObject | undefined)[]): FieldSet | undefined {
  if (subresource === 'status') {
    const keys = new Set(objs.flatMap((o) => Object.keys(o ?? {})));
    keys.delete('status');
    return FieldSet.fromPaths([...keys].map((k) => [fieldElement(k)]));
  }
  return rt.hasStatus ? FieldSet.fromPaths([[fieldElement('status')]]) : undefined;
}

function decodeOrEmpty(entries: unknown): Managed {
  try { return decodeManagedFields(entries); } catch { return new Map(); }
}

/** The live object's managers, with everything it has owned by before-first-apply when it has none. */
function liveManaged(rt: ResourceType, apiVersion: string, live: KubeObject, now: number): Managed {
  const managed = decodeOrEmpty(live.metadata?.managedFields);
  if (managed.size) return managed;
  const writer = { manager: BEFORE_FIRST_APPLY_MANAGER, apiVersion };
  return updateOwnership(managed, {}, content(live), writer, { schema: fieldSchemaOf(rt), now: formatTime(now), ignored: ignoredFields(rt, undefined) });
}

function writerOf(apiVersion: string, ctx: RequestContext, subresource: string | undefined): Writer {
  return { manager: ctx.fieldManager ?? '', apiVersion, subresource: subresource === 'status' ? 'status' : undefined };
}

/**
 * The live object with an applied configuration merged in, less the fields this manager applied
 * before and no longer applies that nobody else owns. `live` undefined: the object is new.
 */
export function mergeAppliedConfig(rt: ResourceType, apiVersion: string, live: KubeObject | undefined, config: KubeObject, ctx: RequestContext, subresource?: string): KubeObject {
  if (config.metadata?.managedFields !== undefined && config.metadata.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const schema = fieldSchemaOf(rt);
  if (!live) return mergeValues({}, config, schema) as KubeObject;
  const managed = liveManaged(rt, apiVersion, live, ctx.now);
  const o = { schema, now: formatTime(ctx.now), ignored: ignoredFields(rt, subresource, live, config) };
  const merged = mergeValues(live, config, schema) as KubeObject;
  return pruneUnapplied(merged, managed, writerOf(apiVersion, ctx, subresource), appliedSet(config, o), schema) as KubeObject;
}

/** The 409 Kubernetes answers an apply with when other managers own fields it would change. */
export function conflictStatus(e: ApplyConflictError): StatusError {
  return new StatusError(409, 'Conflict', e.message, { causes: e.causes() });
}

/**
 * Sets `next.metadata.managedFields` for a write from `live` (undefined on create) to `next`:
 * the apply rules when the request was marked by `markApply`, the update rules otherwise.
 */
export function recordManagedFields(rt: ResourceType, apiVersion: string, live: KubeObject | undefined, next: KubeObject, ctx: RequestContext, subresource?: string): void {
  const meta = (next.metadata ??= {});
  const schema = fieldSchemaOf(rt);
  const o = { schema, now: formatTime(ctx.now), ignored: ignoredFields(rt, subresource, live, next) };
  const writer = writerOf(apiVersion, ctx, subresource);
  const apply = applies.get(ctx);
  let managed: Managed;
  if (apply) {
    const base = live ? liveManaged(rt, apiVersion, live, ctx.now) : new Map() as Managed;
    const applied = appliedSet(apply.config, { ...o, ignored: ignoredFields(rt, subresource, apply.config) });
    const before = content(live);
    const after = content(next);
    const changedObject = !deepEqual(before, after);
    const run = (force: boolean) => applyOwnership(base, before, after, applied, writer, force, { ...o, changedObject });
    try {
      managed = run(apply.force);
    } catch (e) {
      if (!(e instanceof ApplyConflictError)) throw e;
      // kubectl --server-side taking over from client-side apply: fields whose live values still
      // match the last-applied annotation may be taken without conflict.
      const allowed = writer.manager === LAST_APPLIED_MANAGER && live ? allowedByLastApplied(content(live), schema) : undefined;
      const remaining = allowed ? e.conflicts.filter((c) => !allowed.has(c.path)) : e.conflicts;
      if (remaining.length) throw conflictStatus(remaining.length === e.conflicts.length ? e : new ApplyConflictError(remaining));
      managed = run(true);
    }
    if (writer.manager === LAST_APPLIED_MANAGER && hasLastApplied(next)) {
      meta.annotations = { ...meta.annotations, [LAST_APPLIED_ANNOTATION]: lastAppliedValue(apply.config) };
    }
  } else {
    const sent = next.metadata?.managedFields;
    if (!subresource && isResetRequest(sent)) managed = new Map();
    else {
      managed = subresource ? new Map() : decodeOrEmpty(sent);
      if (!managed.size) managed = decodeOrEmpty(live?.metadata?.managedFields);
    }
    // An object updated without managedFields stays untracked until it is applied.
    if (live && !managed.size) { delete meta.managedFields; return; }
    managed = updateOwnership(managed, content(live), content(next), writer, o);
  }
  const entries = encodeManagedFields(capUpdateManagers(managed));
  if (entries.length) meta.managedFields = entries;
  else delete meta.managedFields;
}
