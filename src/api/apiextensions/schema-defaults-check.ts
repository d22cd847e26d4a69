// Defaults in a CRD schema must themselves be valid: pruned (no unknown fields) and passing the
// value validation of the node they sit on. Errors are placed under `<node>.default`, as in
// Kubernetes' structural defaulting validation.
import type { FieldError } from '../../apimachinery/status.js';
import { EMBEDDED_RESOURCE, itemsOf, propertiesOf, type JSONSchemaProps } from './schema-types.js';
import { child, crInvalid, key, NIL_PATH } from './cr-field-errors.js';
import { cloneJSON, deepEqualJSON } from './json-values.js';
import { pruneAt } from './prune.js';
import { validateValue } from './value-validation.js';

const META_FIELDS = new Set(['metadata', 'kind', 'apiVersion']);

function defaultErrors(s: JSONSchemaProps, path: string): FieldError[] {
  const defaultPath = child(path, 'default');
  const value = s.default;
  const errs: FieldError[] = [];
  const pruned = cloneJSON(value);
  pruneAt(s, pruned, s[EMBEDDED_RESOURCE] === true);
  if (!deepEqualJSON(pruned, value)) errs.push(crInvalid(defaultPath, value, 'must not have unknown fields'));
  for (const e of validateValue(s, value, '')) {
    const field = e.field === NIL_PATH || e.field === '' ? defaultPath : child(defaultPath, e.field);
    errs.push({ ...e, field });
  }
  return errs;
}

function walk(s: JSONSchemaProps | undefined, path: string, insideMeta: boolean, isEmbedded: boolean): FieldError[] {
  if (!s) return [];
  const embedded = isEmbedded || s[EMBEDDED_RESOURCE] === true;
  const meta = embedded ? false : insideMeta;
  const errs: FieldError[] = [];
  if (s.default !== undefined && !meta) errs.push(...defaultErrors(s, path));
  const items = itemsOf(s);
  if (items) errs.push(...walk(items, child(path, 'items'), meta, false));
  for (const [k, p] of Object.entries(propertiesOf(s))) {
    errs.push(...walk(p, key(child(path, 'properties'), k), meta || (embedded && META_FIELDS.has(k)), false));
  }
  return errs;
}

/** Default-value errors of a version schema rooted at `path` (`…openAPIV3Schema`). */
export function validateSchemaDefaults(schema: JSONSchemaProps, path: string): FieldError[] {
  return walk(schema, path, false, true);
}
