// Revision checks shared by the in-process backends, so every driver answers out-of-range reads and
// compactions with the same errors etcd gives.
import { CompactedError, FutureRevisionError } from './backend.js';

/** The revision a read at `requested` (0/undefined = current) is served at, or the etcd error. */
export function readRevision(requested: number | undefined, current: number, compacted: number): number {
  if (!requested || requested <= 0) return current;
  if (requested > current) throw new FutureRevisionError(requested, current);
  if (requested < compacted) throw new CompactedError(requested, compacted);
  return requested;
}

/** etcd refuses to compact at or below the last compaction and above the current revision. */
export function checkCompaction(requested: number, current: number, compacted: number): void {
  if (requested > current) throw new FutureRevisionError(requested, current);
  if (requested <= compacted) throw new CompactedError(requested, compacted);
}

/** The first key after every key that starts with `prefix` (undefined: no upper bound).
 *  Works on UTF-16 code units, which order like UTF-8 bytes for the BMP keys Kubernetes uses. */
export function prefixEnd(prefix: string): string | undefined {
  let end = prefix;
  while (end.length > 0) {
    const last = end.charCodeAt(end.length - 1);
    if (last < 0xffff) return end.slice(0, -1) + String.fromCharCode(last + 1);
    end = end.slice(0, -1);
  }
  return undefined;
}
