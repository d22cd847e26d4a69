// Structural validation of a decoded object against its schema: value types, enums and required
// fields, reported as field errors shaped like Kubernetes' schema validation messages.
import type { FieldError } from '../apimachinery/status.js';
import { deref, schemaOf, type Schema } from './schema-definitions.js';

export interface CheckOptions {
  /**
   * Report missing required fields (default true). Callers that default before validating, or
   * that accept partial objects, can turn this off and keep only the type checks.
   */
  required?: boolean;
}

/** The JSON type name of a value, as validation messages name it. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = jsonTypeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Types a value may take: one declared type, a `oneOf` of types, or int-or-string. */
function allowedTypes(s: Schema): string[] | undefined {
  if (s['x-kubernetes-int-or-string']) return ['integer', 'string'];
  if (s.type) return [s.type];
  if (s.oneOf?.length && s.oneOf.every((o) => o.type)) return s.oneOf.map((o) => o.type as string);
  return undefined;
}

export function childPath(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

/**
 * Checks `obj` against a definition (e.g. `io.k8s.api.core.v1.Pod`) or a schema, returning every
 * type mismatch, unsupported enum value and missing required field. `null` counts as absent, as
 * it does when Kubernetes decodes into its Go types. Unknown fields are not errors here; see
 * `pruneUnknownFields`.
 */
export function checkStructure(obj: unknown, definition: string | Schema, options: CheckOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  const required = options.required ?? true;

  const visit = (value: unknown, schema: Schema, path: string): void => {
    if (value === null || value === undefined) return;
    const s = deref(schema);
    const types = allowedTypes(s);
    if (types && !types.some((t) => matchesType(value, t))) {
      const actual = jsonTypeOf(value);
      errs.push({
        type: 'FieldValueTypeInvalid',
        field: path,
        message: `Invalid value: "${actual}": ${path || 'body'} in body must be of type ${types.join(' or ')}: "${actual}"`,
      });
      return;
    }
    if (s.enum && !s.enum.some((e) => e === value)) {
      errs.push({
        type: 'FieldValueNotSupported',
        field: path,
        message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`,
      });
      return;
    }
    if (Array.isArray(value)) {
      if (s.items) value.forEach((item, i) => visit(item, s.items as Schema, `${path}[${i}]`));
      return;
    }
    if (typeof value !== 'object') return;
    const fields = value as Record<string, unknown>;
    if (required) {
      for (const name of s.required ?? []) {
        if (fields[name] === undefined || fields[name] === null) {
          errs.push({ type: 'FieldValueRequired', field: childPath(path, name), message: 'Required value' });
        }
      }
    }
    const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    for (const [name, v] of Object.entries(fields)) {
      const prop = s.properties && Object.hasOwn(s.properties, name) ? s.properties[name] : undefined;
      if (prop) visit(v, prop, childPath(path, name));
      else if (extra) visit(v, extra, `${path}[${name}]`);
    }
  };

  visit(obj, schemaOf(definition), '');
  return errs;
}
