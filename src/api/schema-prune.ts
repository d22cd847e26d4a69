// Removal of fields a schema does not declare, so the API server can answer
// fieldValidation=Strict (reject), Warn (warn and drop) and Ignore (drop silently).
import { badRequest, type StatusError } from '../apimachinery/status.js';
import { childPath } from './schema-check.js';
import { deref, getDefinition, schemaOf, type Schema } from './schema-definitions.js';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const TYPE_META = new Set(['apiVersion', 'kind']);

/**
 * Deletes, in place, every field of `obj` that the definition (or schema) does not declare and
 * returns their paths (`spec.foo`, `spec.containers[0].bogus`), in document order. Values under
 * `x-kubernetes-preserve-unknown-fields` and opaque objects (no declared properties, such as
 * RawExtension) are kept whole. At the top level apiVersion and kind are always known, and
 * metadata is pruned as ObjectMeta when the schema leaves it open (as CRD schemas do).
 * Values of the wrong type are left alone: `checkStructure` reports those.
 */
export function pruneUnknownFields(obj: unknown, definition: string | Schema): string[] {
  const pruned: string[] = [];

  const visit = (value: unknown, schema: Schema, path: string, root = false): void => {
    if (value === null || typeof value !== 'object') return;
    const s = deref(schema);
    if (Array.isArray(value)) {
      if (s.items) value.forEach((item, i) => visit(item, s.items as Schema, `${path}[${i}]`));
      return;
    }
    const fields = value as Record<string, unknown>;
    const props = s.properties;
    const extra = s.additionalProperties;
    // Opaque objects (no declared fields) say nothing about their fields; only a root's metadata
    // is still checked.
    const opaque = !props && typeof extra !== 'object';
    if (opaque && !root) return;
    const keepUnknown = opaque || s['x-kubernetes-preserve-unknown-fields'] === true || extra === true;
    for (const name of Object.keys(fields)) {
      const here = childPath(path, name);
      let prop = props && Object.hasOwn(props, name) ? props[name] : undefined;
      if (root && name === 'metadata' && !deref(prop ?? {}).properties) prop = getDefinition(OBJECT_META);
      if (prop) visit(fields[name], prop, here);
      else if (typeof extra === 'object') visit(fields[name], extra, `${path}[${name}]`);
      else if (root && TYPE_META.has(name)) continue;
      else if (!keepUnknown) {
        delete fields[name];
        pruned.push(here);
      }
    }
  };

  visit(obj, schemaOf(definition), '', true);
  return pruned;
}

/** How Kubernetes words one pruned field, in Warn-mode warnings and Strict-mode errors. */
export function unknownFieldMessage(path: string): string {
  return `unknown field "${path}"`;
}

/** The 400 answer to fieldValidation=Strict when fields were pruned. */
export function strictDecodingError(paths: string[]): StatusError {
  return badRequest(`strict decoding error: ${paths.map(unknownFieldMessage).join(', ')}`);
}
