// Copies the non-TypeScript files the code loads at run time (the CRI .proto definitions) from
// src/ to the same place under dist/src/, so that `node dist/...` finds them beside the modules.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ASSET = /\.proto$/;

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (ASSET.test(entry.name)) yield path;
  }
}

let n = 0;
for (const file of walk(join(root, 'src'))) {
  const target = join(root, 'dist', relative(root, file));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
  n++;
}
console.log(`copy-assets: ${n} file(s) copied to dist/src`);
