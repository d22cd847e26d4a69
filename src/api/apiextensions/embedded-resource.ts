// Objects marked x-kubernetes-embedded-resource carry their own apiVersion, kind and metadata;
// Kubernetes requires the first two and validates the metadata as ObjectMeta (path-segment names).
import type { FieldError } from '../../apimachinery/status.js';
import type { ObjectMeta } from '../../apimachinery/object.js';
import { isDNS1035Label, isValidPathSegmentName, validateObjectMeta } from '../../apimachinery/validation.js';
import { additionalPropertiesOf, EMBEDDED_RESOURCE, isObject, itemsOf, propertiesOf, type JSONSchemaProps } from './schema-types.js';
import { crInvalid, crRequired } from './cr-field-errors.js';
import { isObjectMetaShaped } from './object-meta.js';

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function groupVersionError(apiVersion: string): string | undefined {
  if (apiVersion === '/') return undefined;
  const parts = apiVersion.split('/');
  if (parts.length <= 2) return undefined;
  return `unexpected GroupVersion string: ${apiVersion}`;
}

function validateEmbedded(path: string, x: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  if (!Object.hasOwn(x, 'apiVersion')) errs.push(crRequired(join(path, 'apiVersion')));
  if (!Object.hasOwn(x, 'kind')) errs.push(crRequired(join(path, 'kind')));
  if (Object.hasOwn(x, 'apiVersion')) {
    const v = x.apiVersion;
    if (typeof v !== 'string') errs.push(crInvalid(join(path, 'apiVersion'), v, 'must be a string'));
    else if (!v) errs.push(crRequired(join(path, 'apiVersion')));
    else {
      const problem = groupVersionError(v);
      if (problem) errs.push(crInvalid(join(path, 'apiVersion'), v, problem));
    }
  }
  if (Object.hasOwn(x, 'kind')) {
    const k = x.kind;
    if (typeof k !== 'string') errs.push(crInvalid(join(path, 'kind'), k, 'must be a string'));
    else if (!k) errs.push(crRequired(join(path, 'kind')));
    else {
      const problems = isDNS1035Label(k.toLowerCase());
      if (problems.length) errs.push(crInvalid(join(path, 'kind'), k, `may have mixed case, but should otherwise match: ${problems.join(',')}`));
    }
  }
  if (Object.hasOwn(x, 'metadata')) {
    const m = x.metadata;
    if (!isObjectMetaShaped(m)) {
      errs.push(crInvalid(join(path, 'metadata'), m, `json: cannot unmarshal ${Array.isArray(m) ? 'array' : typeof m} into Go value of type v1.ObjectMeta`));
    } else {
      const meta = { ...(m as ObjectMeta) };
      if (!meta.name) meta.name = 'fakename';
      const metaErrs = validateObjectMeta(meta, { namespaced: !!meta.namespace, nameValidator: isValidPathSegmentName });
      for (const e of metaErrs) errs.push({ ...e, field: join(path, e.field) });
    }
  }
  return errs;
}

function walk(path: string, x: unknown, s: JSONSchemaProps | undefined, errs: FieldError[]): void {
  if (!s) return;
  if (Array.isArray(x)) {
    const items = itemsOf(s);
    x.forEach((v, i) => walk(`${path}[${i}]`, v, items, errs));
    return;
  }
  if (!isObject(x)) return;
  if (s[EMBEDDED_RESOURCE] === true) errs.push(...validateEmbedded(path, x));
  const props = propertiesOf(s);
  const additional = additionalPropertiesOf(s);
  for (const [k, v] of Object.entries(x)) {
    if (props[k]) walk(join(path, k), v, props[k], errs);
    else if (isObject(additional)) walk(`${path}[${k}]`, v, additional, errs);
  }
}

/** Embedded resources below the root (the root's own metadata is checked by the API server). */
export function validateEmbeddedResources(schema: JSONSchemaProps, obj: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  walk('', obj, schema, errs);
  return errs;
}
