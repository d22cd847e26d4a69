// hostPath volumes: the type checks (and the creations) Kubernetes does before a host path is
// handed to the runtime, with its error messages.
import { mkdir, open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
}

const failed = (path: string, what: string) => new Error(`hostPath type check failed: ${path} is not ${what}`);

/** Checks (and for the `…OrCreate` types creates) `path` as the hostPath `type` asks. */
export async function checkHostPathType(path: string, type: string | undefined): Promise<void> {
  switch (type ?? '') {
    case '':
      return;
    case 'DirectoryOrCreate': {
      if (!(await statOrUndefined(path))) await mkdir(path, { recursive: true, mode: 0o755 });
      const st = await statOrUndefined(path);
      if (!st?.isDirectory()) throw failed(path, 'a directory');
      return;
    }
    case 'Directory':
      if (!(await statOrUndefined(path))?.isDirectory()) throw failed(path, 'a directory');
      return;
    case 'FileOrCreate': {
      // As in Kubernetes, the parent directory is not created.
      if (!(await statOrUndefined(path))) {
        const fh = await open(path, 'a', 0o644);
        await fh.close();
      }
      const st = await statOrUndefined(path);
      if (!st?.isFile()) throw failed(path, 'a file');
      return;
    }
    case 'File':
      if (!(await statOrUndefined(path))?.isFile()) throw failed(path, 'a file');
      return;
    case 'Socket':
      if (!(await statOrUndefined(path))?.isSocket()) throw failed(path, 'a socket file');
      return;
    case 'CharDevice':
      if (!(await statOrUndefined(path))?.isCharacterDevice()) throw failed(path, 'a character device');
      return;
    case 'BlockDevice':
      if (!(await statOrUndefined(path))?.isBlockDevice()) throw failed(path, 'a block device');
      return;
    default:
      throw new Error(`hostPath type check failed: invalid type ${JSON.stringify(type)} for ${path}`);
  }
}
