// The OpenAPI v3 definitions of every built-in type, generated at build time from the
// kubernetes-types package by scripts/gen-schemas.mjs, loaded on first use.
import { existsSync, readFileSync } from 'node:fs';

export interface GroupVersionKindRef { group: string; version: string; kind: string }

/** The subset of OpenAPI v3 (with Kubernetes' extensions) our definitions use. */
export interface Schema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: unknown[];
  oneOf?: Schema[];
  allOf?: Schema[];
  $ref?: string;
  nullable?: boolean;
  default?: unknown;
  'x-kubernetes-group-version-kind'?: GroupVersionKindRef[];
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
}

export const REF_PREFIX = '#/components/schemas/';

// The generator writes the JSON beside the sources (read under tsx, from src/api/) and beside the
// compiled code (dist/src/api/). The source-tree path is the fallback for a dist/ built by plain
// `tsc` without the generator having run since dist/ was cleaned.
const candidates = [
  new URL('./generated/schemas.json', import.meta.url),
  new URL('../../../src/api/generated/schemas.json', import.meta.url),
];

let loaded: Record<string, Schema> | undefined;

/** Every definition by OpenAPI name, e.g. `io.k8s.api.core.v1.Pod`. Treat as read-only. */
export function definitions(): Record<string, Schema> {
  if (!loaded) {
    const file = candidates.find((u) => existsSync(u));
    if (!file) {
      throw new Error('src/api/generated/schemas.json is missing: run `node scripts/gen-schemas.mjs` (part of `npm run build`)');
    }
    loaded = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Schema>;
  }
  return loaded;
}

export function getDefinition(name: string): Schema | undefined {
  const defs = definitions();
  return Object.hasOwn(defs, name) ? defs[name] : undefined;
}

/** The definition name a `$ref` points at. */
export function refName(ref: string): string {
  return ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : ref;
}

/**
 * Follows `$ref` and single-element `allOf` wrappers (how a described reference is written) to the
 * schema that says what the value is. Extensions on the wrapper itself, such as patch metadata,
 * stay on the wrapper. An unresolvable reference yields an empty schema, which accepts anything.
 */
export function deref(schema: Schema): Schema {
  let s = schema;
  for (let hops = 0; hops < 32; hops++) {
    if (s.$ref) {
      const target = getDefinition(refName(s.$ref));
      if (!target) return {};
      s = target;
    } else if (s.allOf?.length === 1 && !s.type && !s.properties) {
      s = s.allOf[0];
    } else {
      return s;
    }
  }
  throw new Error(`reference cycle at ${schema.$ref ?? 'allOf'}`);
}

/** A definition name or a schema given directly (CRD schemas have no definition name). */
export function schemaOf(definition: string | Schema): Schema {
  if (typeof definition !== 'string') return definition;
  const s = getDefinition(definition);
  if (!s) throw new Error(`unknown schema definition ${definition}`);
  return s;
}
