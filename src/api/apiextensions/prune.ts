// Pruning: fields the structural schema does not specify are dropped, except below
// x-kubernetes-preserve-unknown-fields. The object root and embedded resources keep apiVersion,
// kind and metadata, and their metadata is cut down to ObjectMeta's fields.
import {
  additionalPropertiesOf, EMBEDDED_RESOURCE, isObject, itemsOf, PRESERVE_UNKNOWN, propertiesOf, type JSONSchemaProps,
} from './schema-types.js';
import { coerceObjectMeta } from './object-meta.js';

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

interface PruneRun {
  pruned: string[];
}

/** apiVersion, kind and metadata of a resource root: kept, with metadata coerced to ObjectMeta. */
function keepTypeMeta(x: Record<string, unknown>, k: string, path: string, run: PruneRun): boolean {
  if (k === 'apiVersion' || k === 'kind') return true;
  if (k !== 'metadata') return false;
  const m = x.metadata;
  if (isObject(m)) for (const f of coerceObjectMeta(m)) run.pruned.push(join(join(path, 'metadata'), f));
  return true;
}

function pruneValue(x: unknown, s: JSONSchemaProps | undefined, isResource: boolean, path: string, run: PruneRun): void {
  if (s && s[PRESERVE_UNKNOWN] === true) {
    pruneBelowPreserved(x, s, isResource, path, run);
    return;
  }
  if (Array.isArray(x)) {
    const items = s ? itemsOf(s) : undefined;
    x.forEach((v, i) => pruneValue(v, items, false, `${path}[${i}]`, run));
    return;
  }
  if (!isObject(x)) return;
  const resource = isResource || s?.[EMBEDDED_RESOURCE] === true;
  const props = s ? propertiesOf(s) : {};
  const additional = s ? additionalPropertiesOf(s) : undefined;
  for (const k of Object.keys(x)) {
    if (resource && keepTypeMeta(x, k, path, run)) continue;
    const sub = props[k];
    if (sub) pruneValue(x[k], sub, false, join(path, k), run);
    else if (isObject(additional)) pruneValue(x[k], additional, false, join(path, k), run);
    else if (additional === true) continue;
    else {
      delete x[k];
      run.pruned.push(join(path, k));
    }
  }
}

/** Under preserve-unknown-fields, unknown fields stay but specified ones are still pruned inside. */
function pruneBelowPreserved(x: unknown, s: JSONSchemaProps, isResource: boolean, path: string, run: PruneRun): void {
  if (Array.isArray(x)) {
    const items = itemsOf(s);
    if (items) x.forEach((v, i) => pruneValue(v, items, false, `${path}[${i}]`, run));
    return;
  }
  if (!isObject(x)) return;
  const resource = isResource || s[EMBEDDED_RESOURCE] === true;
  const props = propertiesOf(s);
  const additional = additionalPropertiesOf(s);
  for (const k of Object.keys(x)) {
    if (resource && keepTypeMeta(x, k, path, run)) continue;
    if (props[k]) pruneValue(x[k], props[k], false, join(path, k), run);
    else if (isObject(additional)) pruneValue(x[k], additional, false, join(path, k), run);
  }
}

/** Prunes any value in place against `schema`; `isResource` marks an object root (keeps type meta). */
export function pruneAt(schema: JSONSchemaProps, value: unknown, isResource: boolean): string[] {
  const run: PruneRun = { pruned: [] };
  pruneValue(value, schema, isResource, '', run);
  return run.pruned;
}

/** Prunes `obj` (a whole custom resource) in place; returns the pruned paths (`spec.foo`, `spec.list[0].bar`). */
export function pruneObject(schema: JSONSchemaProps, obj: Record<string, unknown>): string[] {
  const run: PruneRun = { pruned: [] };
  pruneValue(obj, schema, true, '', run);
  return run.pruned;
}
