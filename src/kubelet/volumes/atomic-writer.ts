// Writes a volume's files so that a reader never sees a half-updated set, as Kubernetes'
// AtomicWriter does: the files go into a fresh timestamped directory `..<time>.<random>`, a
// `..data` symlink is swapped to it with one rename, and the user-visible names are symlinks
// into `..data`. Keys removed from the payload disappear with the swap.
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, sep } from 'node:path';

export interface FileProjection {
  data: Buffer;
  mode: number;
}

/** Relative path → contents and mode. */
export type Payload = Map<string, FileProjection>;

const DATA_LINK = '..data';
const DATA_TMP_LINK = '..data_tmp';
const MAX_PATH = 4096;
const MAX_NAME = 255;

/** Checks a payload path as Kubernetes does: relative, no `..` element, not starting with `..`. */
export function validatePayloadPath(p: string): void {
  if (p === '') throw new Error('invalid path: must not be empty');
  if (p.length > MAX_PATH) throw new Error(`invalid path: must be less than or equal to ${MAX_PATH} characters`);
  if (isAbsolute(p)) throw new Error(`invalid path: must be relative path: ${p}`);
  if (p.startsWith('..')) throw new Error(`invalid path: must not start with '..': ${p}`);
  for (const part of p.split(sep)) {
    if (part.length > MAX_NAME) throw new Error(`invalid path: path component must be less than or equal to ${MAX_NAME} characters`);
    if (part === '..') throw new Error(`invalid path: must not contain '..': ${p}`);
  }
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** `..2006_01_02_15_04_05.` in UTC, the prefix Kubernetes gives its data directories. */
function timestampPrefix(now: number): string {
  const d = new Date(now);
  return `..${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}_${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}.`;
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** The files under `dir` (relative paths), following no symlinks. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? join(prefix, e.name) : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}

/** Whether the directory `..data` points to already holds exactly this payload. */
async function sameAsCurrent(dataDir: string, payload: Payload): Promise<boolean> {
  let files: string[];
  try {
    files = await listFiles(dataDir);
  } catch {
    return false;
  }
  if (files.length !== payload.size) return false;
  for (const f of files) {
    const want = payload.get(f);
    if (!want) return false;
    const st = await stat(join(dataDir, f));
    if ((st.mode & 0o7777) !== want.mode) return false;
    if (!(await readFile(join(dataDir, f))).equals(want.data)) return false;
  }
  return true;
}

function topLevel(paths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const p of paths) out.add(p.split(sep)[0]!);
  return out;
}

/**
 * Makes `target` show exactly `payload`. Returns whether anything changed. `now` names the new
 * data directory (injected time).
 */
export async function writeAtomically(target: string, payload: Payload, now: number): Promise<boolean> {
  for (const p of payload.keys()) validatePayloadPath(p);
  await mkdir(target, { recursive: true });
  const dataLink = join(target, DATA_LINK);

  let oldTsName: string | undefined;
  try {
    oldTsName = await readlink(dataLink);
  } catch {
    oldTsName = undefined;
  }
  const oldPaths = oldTsName ? await listFiles(join(target, oldTsName)).catch(() => [] as string[]) : [];

  if (oldTsName && (await sameAsCurrent(join(target, oldTsName), payload))) {
    let visible = true;
    for (const name of topLevel(payload.keys())) if (!(await exists(join(target, name)))) visible = false;
    if (visible) return false;
  }

  const tsDir = await mkdtemp(join(target, timestampPrefix(now)));
  await chmod(tsDir, 0o755);
  const tsName = tsDir.slice(target.length + 1);
  for (const [p, f] of payload) {
    const file = join(tsDir, p);
    await mkdir(dirname(file), { recursive: true, mode: 0o755 });
    await writeFile(file, f.data);
    await chmod(file, f.mode); // the umask must not narrow the requested mode
  }

  // User-visible names are created before the swap so they resolve as soon as `..data` moves.
  for (const name of topLevel(payload.keys())) {
    const visible = join(target, name);
    if (!(await exists(visible))) await symlink(join(DATA_LINK, name), visible);
  }

  const tmpLink = join(target, DATA_TMP_LINK);
  await rm(tmpLink, { force: true });
  await symlink(tsName, tmpLink);
  await rename(tmpLink, dataLink);

  const keep = topLevel(payload.keys());
  for (const name of topLevel(oldPaths)) if (!keep.has(name)) await rm(join(target, name), { force: true, recursive: true });
  if (oldTsName && oldTsName !== tsName) await rm(join(target, oldTsName), { recursive: true, force: true });
  return true;
}
