#!/usr/bin/env node
// Builds src/api/generated/schemas.json: OpenAPI v3 definitions for every type in the installed
// kubernetes-types package, plus our tables of list semantics and wire formats. Validation,
// field pruning, strategic merge patch and the published /openapi/v3 documents all read it.
//
// The file is written twice: beside the sources (read under tsx) and under dist/ (read by the
// compiled code and shipped with it, since src/api/generated/ is not committed).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { convertModule } from './gen-schemas/convert.mjs';
import { defaultSemantics, listSemantics } from './gen-schemas/list-semantics.mjs';
import { definitionPatches, extraKinds, extraProperties, propertyPatches, syntheticDefinitions } from './gen-schemas/overrides.mjs';
import { writeProtoDescriptor } from './gen-schemas/proto.mjs';

const started = performance.now();
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const typesDir = dirname(createRequire(import.meta.url).resolve('kubernetes-types/package.json'));

function declarationFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : declarationFiles(p);
    return e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const definitions = { ...syntheticDefinitions };
const kinds = {};
for (const path of declarationFiles(typesDir).sort()) {
  const module = relative(typesDir, path).replace(/\.d\.ts$/, '').split('\\').join('/');
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const out = convertModule(file, module);
  Object.assign(definitions, out.definitions);
  Object.assign(kinds, out.kinds);
}

const need = (name, table) => {
  if (!definitions[name]) throw new Error(`${table}: no definition ${name}`);
  return definitions[name];
};

for (const [name, patch] of Object.entries(definitionPatches)) {
  const def = need(name, 'definitionPatches');
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete def[k];
    else def[k] = v;
  }
}
for (const [name, props] of Object.entries(propertyPatches)) {
  const def = need(name, 'propertyPatches');
  for (const [prop, patch] of Object.entries(props)) {
    const target = def.properties?.[prop];
    if (!target) throw new Error(`propertyPatches: ${name} has no property ${prop}`);
    for (const [k, v] of Object.entries(patch)) {
      target[k] = typeof v === 'object' && typeof target[k] === 'object' ? { ...target[k], ...v } : v;
    }
  }
}
for (const [name, props] of Object.entries(extraProperties)) {
  Object.assign(need(name, 'extraProperties').properties, props);
}

// List semantics become x-kubernetes-* extensions on the property schema itself, which is
// where kubectl's strategic-merge code looks for them.
for (const [name, props] of Object.entries(listSemantics)) {
  for (const prop of Object.keys(props)) {
    if (!need(name, 'listSemantics').properties?.[prop]) throw new Error(`listSemantics: ${name} has no property ${prop}`);
  }
}
for (const [name, def] of Object.entries(definitions)) {
  for (const [prop, schema] of Object.entries(def.properties ?? {})) {
    const sem = listSemantics[name]?.[prop] ?? defaultSemantics(name, prop, schema);
    if (!sem) continue;
    const target = schema.$ref ? (def.properties[prop] = { allOf: [{ $ref: schema.$ref }] }) : schema;
    if (sem.strategy) target['x-kubernetes-patch-strategy'] = sem.strategy;
    if (sem.key) target['x-kubernetes-patch-merge-key'] = sem.key;
    if (sem.list) target['x-kubernetes-list-type'] = sem.list;
    if (sem.mapKeys) target['x-kubernetes-list-map-keys'] = sem.mapKeys;
  }
}

// Group-version-kinds, for kubectl to find a kind's schema (explain, SMP) by its GVK.
const groupVersions = new Map([['/v1', { group: '', version: 'v1' }]]);
for (const { group, version } of Object.values(kinds)) groupVersions.set(`${group}/${version}`, { group, version });
const gvks = {};
for (const [name, gvk] of Object.entries(kinds)) (gvks[name] ??= []).push(gvk);
for (const [name, extra] of Object.entries(extraKinds)) {
  need(name, 'extraKinds');
  const kind = name.slice(name.lastIndexOf('.') + 1);
  const list = extra === '*' ? [...groupVersions.values()].map((gv) => ({ ...gv, kind })) : extra;
  (gvks[name] ??= []).push(...list);
}
for (const [name, list] of Object.entries(gvks)) {
  definitions[name]['x-kubernetes-group-version-kind'] = list
    .map(({ group, version, kind }) => ({ group, kind, version }))
    .sort((a, b) => `${a.group}/${a.version}`.localeCompare(`${b.group}/${b.version}`));
}

// A dangling $ref would surface much later as an unresolvable schema in a client; stop here.
const missing = new Set();
JSON.stringify(definitions, (key, value) => {
  if (key === '$ref' && typeof value === 'string' && !definitions[value.replace('#/components/schemas/', '')]) missing.add(value);
  return value;
});
if (missing.size) throw new Error(`unresolved references: ${[...missing].join(', ')}`);

/** Deep copy with object keys sorted, so the output (and hashes of documents built from it) is stable. */
function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted(value[k])]));
}
const text = JSON.stringify(sorted(definitions));
for (const dir of ['src/api/generated', 'dist/src/api/generated']) {
  mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, dir, 'schemas.json'), text);
}
writeProtoDescriptor(root, definitions);
const ms = Math.round(performance.now() - started);
console.log(`gen-schemas: ${Object.keys(definitions).length} definitions, ${(text.length / 1024).toFixed(0)} KiB, ${ms} ms`);
