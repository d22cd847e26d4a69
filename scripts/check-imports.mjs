#!/usr/bin/env node
// Enforces the module boundaries of the design: which src/ folder may import which, and no cycles
// between folders or between files. Exits non-zero with one line per violation. Test files
// (`*.test.ts`) are not components: they may stand up any part of Kite (e.g. a real API server
// on a memory backend for a controller's tests), so the rules apply to the code they test.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

const base = ['apimachinery'];
const clientSide = ['client', 'api', 'apimachinery'];
const allowed = {
  apimachinery: [],
  api: base,
  storage: base,
  apiserver: ['apimachinery', 'api', 'storage'],
  client: ['apimachinery', 'api'],
  controllers: clientSide,
  scheduler: clientSide,
  kubelet: clientSide,
  proxy: clientSide,
  dns: clientSide,
  network: clientSide,
  cli: null, // the composition root may import anything
};

/** The module a file belongs to: its top folder, or `controllers/<name>`. */
function moduleOf(file) {
  const parts = relative(src, file).split('/');
  if (parts[0] === 'controllers' && parts.length > 2) return `controllers/${parts[1]}`;
  return parts[0];
}

function topOf(mod) {
  return mod.split('/')[0];
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const importRe = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

const files = walk(src);
const errors = [];
const fileGraph = new Map();
const moduleGraph = new Map();

for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const from = moduleOf(file);
  const edges = [];
  for (const m of text.matchAll(importRe)) {
    const spec = m[3] ?? m[4];
    const typeOnly = Boolean(m[2]);
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
    if (!target.startsWith(src + '/')) {
      errors.push(`${relative(root, file)}: imports ${spec}, outside src/`);
      continue;
    }
    const to = moduleOf(target);
    if (to !== from) {
      const rule = allowed[topOf(from)];
      const ok = rule === null || rule?.includes(topOf(to)) ;
      if (rule === undefined) errors.push(`${relative(root, file)}: folder src/${topOf(from)} is not in the boundary table`);
      else if (!ok) errors.push(`${relative(root, file)}: src/${from} may not import src/${to} (${spec})`);
      if (!moduleGraph.has(from)) moduleGraph.set(from, new Set());
      moduleGraph.get(from).add(to);
    }
    if (!typeOnly) edges.push(target);
  }
  fileGraph.set(file, edges);
}

function findCycle(graph) {
  const state = new Map();
  const stack = [];
  const visit = (n) => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 1) return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of graph.keys()) {
    if (!state.has(n)) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return null;
}

const modCycle = findCycle(moduleGraph);
if (modCycle) errors.push(`import cycle between folders: ${modCycle.map((m) => `src/${m}`).join(' -> ')}`);
const fileCycle = findCycle(fileGraph);
if (fileCycle) errors.push(`import cycle between files: ${fileCycle.map((f) => relative(root, f)).join(' -> ')}`);

if (errors.length) {
  for (const e of errors) console.error(`import boundary: ${e}`);
  process.exit(1);
}
console.log(`import boundaries: ${files.length} files, ${moduleGraph.size} modules with outward imports, ok`);
