// The /openapi/v3 documents kubectl reads: an index of group-versions, and per group-version a
// document of paths and schemas. kubectl uses them to find that the server validates fields
// (the fieldValidation parameter), to compute strategic merge patches, and for `explain`.
import { createHash } from 'node:crypto';
import type { GroupVersionKind } from '../apimachinery/object.js';
import type { ResourceType } from './types.js';
import { groupVersionPrefix, resourcePaths, type SchemaLinks } from './openapi-paths.js';
import { definitions, REF_PREFIX, refName, type Schema } from './schema-definitions.js';

export { groupVersionPrefix } from './openapi-paths.js';

export interface GroupVersion { group: string; version: string }

export interface OpenAPIV3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

export interface OpenAPIV3Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Schema> };
}

export interface DocumentOptions {
  /** Definitions beyond the built-in ones, e.g. generated from CustomResourceDefinitions. */
  schemas?: Record<string, Schema>;
  /** `info.version` of the document. */
  version?: string;
}

// Every document carries the meta types its operations speak besides the kinds themselves.
const META_DEFINITIONS = ['Status', 'DeleteOptions', 'WatchEvent', 'Patch']
  .map((k) => `io.k8s.apimachinery.pkg.apis.meta.v1.${k}`);

/** The key of a group-version in the index and in its URL: `api/v1`, `apis/apps/v1`. */
export function openAPIV3Path(gv: GroupVersion): string {
  return groupVersionPrefix(gv.group, gv.version).slice(1);
}

/** `GET /openapi/v3`: where each group-version's document lives, with a hash for caching. */
export function buildOpenAPIV3Index(groupVersions: GroupVersion[], hashOf: (gv: GroupVersion) => string): OpenAPIV3Index {
  const entries = groupVersions
    .map((gv) => [openAPIV3Path(gv), { serverRelativeURL: `/openapi/v3/${openAPIV3Path(gv)}?hash=${hashOf(gv)}` }] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { paths: Object.fromEntries(entries) };
}

/**
 * `GET /openapi/v3/apis/<group>/<version>`: operations for every resource of the group-version and
 * the transitive closure of the schemas they mention. Keys are sorted throughout, so the same
 * input always serializes to the same bytes (see `documentHash`).
 */
export function buildOpenAPIV3Document(
  group: string, version: string, resources: ResourceType[], options: DocumentOptions = {},
): OpenAPIV3Document {
  const lookup = (name: string): Schema | undefined => {
    if (options.schemas && Object.hasOwn(options.schemas, name)) return options.schemas[name];
    const defs = definitions();
    return Object.hasOwn(defs, name) ? defs[name] : undefined;
  };
  const kindIndex = indexByKind(options.schemas);
  const referenced = new Set<string>(META_DEFINITIONS.filter((n) => lookup(n)));
  const links: SchemaLinks = {
    ref(definition) {
      if (!definition || !lookup(definition)) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      referenced.add(definition);
      return { $ref: REF_PREFIX + definition };
    },
    definitionOf: (gvk) => kindIndex.get(gvkKey(gvk)),
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const rt of resources) {
    if (rt.group !== group || rt.version !== version) continue;
    Object.assign(paths, resourcePaths(rt, links));
  }

  const schemas: Record<string, Schema> = {};
  const pending = [...referenced];
  while (pending.length) {
    const name = pending.pop() as string;
    if (Object.hasOwn(schemas, name)) continue;
    const schema = lookup(name);
    if (!schema) continue;
    schemas[name] = schema;
    for (const ref of referencesIn(schema)) if (!Object.hasOwn(schemas, ref)) pending.push(ref);
  }

  return sortedCopy({
    openapi: '3.0.0',
    info: { title: 'Kite', version: options.version ?? 'unversioned' },
    paths,
    components: { schemas },
  }) as OpenAPIV3Document;
}

/** A content hash of a document, for the index's `?hash=` and the response's ETag. */
export function documentHash(doc: unknown): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
}

const gvkKey = (g: GroupVersionKind): string => `${g.group}/${g.version}/${g.kind}`;

let builtinKinds: Map<string, string> | undefined;

/** Definition name by group-version-kind, built-ins first indexed once, extras layered on top. */
function indexByKind(extra?: Record<string, Schema>): Map<string, string> {
  if (!builtinKinds) {
    builtinKinds = new Map();
    for (const [name, s] of Object.entries(definitions())) {
      for (const g of s['x-kubernetes-group-version-kind'] ?? []) builtinKinds.set(gvkKey(g), name);
    }
  }
  if (!extra) return builtinKinds;
  const index = new Map(builtinKinds);
  for (const [name, s] of Object.entries(extra)) {
    for (const g of s['x-kubernetes-group-version-kind'] ?? []) index.set(gvkKey(g), name);
  }
  return index;
}

/** Definition names a schema refers to, at any depth. */
function referencesIn(schema: Schema): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string') out.push(refName(x));
        else walk(x);
      }
    }
  };
  walk(schema);
  return out;
}

/** Deep copy with object keys in sorted order; arrays keep theirs. */
function sortedCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedCopy);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj).sort()) if (obj[k] !== undefined) out[k] = sortedCopy(obj[k]);
  return out;
}
