// Mounting for memory-backed volumes (emptyDir `medium: Memory`, secrets, projected volumes):
// an interface so unit tests can record instead of mounting, and the real one running
// mount(8)/umount(8).
import { execFile } from 'node:child_process';
import { readFile, realpath } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Mounter {
  /** Mounts a tmpfs on `target` (an existing directory), `size=` bytes when given. */
  mountTmpfs(target: string, opts?: { sizeBytes?: number }): Promise<void>;
  unmount(target: string): Promise<void>;
  /** Mount points at `dir` or beneath it, deepest first. */
  mountsUnder(dir: string): Promise<string[]>;
}

/** A mount point as /proc/self/mountinfo escapes it (space, tab, newline, backslash in octal). */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export async function listMountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').filter(Boolean).map((line) => unescapeMountPath(line.split(' ')[4]!));
}

async function resolved(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    return p;
  }
}

export class SystemMounter implements Mounter {
  async mountTmpfs(target: string, opts: { sizeBytes?: number } = {}): Promise<void> {
    const args = ['-t', 'tmpfs'];
    if (opts.sizeBytes && opts.sizeBytes > 0) args.push('-o', `size=${opts.sizeBytes}`);
    args.push('tmpfs', target);
    await run('mount', args);
  }

  async unmount(target: string): Promise<void> {
    await run('umount', [target]);
  }

  async mountsUnder(dir: string): Promise<string[]> {
    const root = await resolved(dir);
    const points = (await listMountPoints()).filter((p) => p === root || p.startsWith(`${root}/`));
    return [...new Set(points)].sort((a, b) => b.length - a.length);
  }
}
