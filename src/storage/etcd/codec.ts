// Mapping between etcd's wire shapes (byte keys under our prefix, int64s as strings, gRPC error
// messages) and the Backend's KeyValue, StorageEvent and error classes.
import type { IEvent, IKeyValue } from 'etcd3';
import { CompactedError, FutureRevisionError, type KeyValue, type StorageEvent } from '../backend.js';

export class KeyCodec {
  private readonly prefixBytes: Buffer;

  constructor(readonly prefix: string) {
    this.prefixBytes = Buffer.from(prefix);
  }

  encode(key: string): Buffer {
    return Buffer.from(this.prefix + key);
  }

  decode(raw: Buffer): string {
    return raw.subarray(this.prefixBytes.length).toString('utf8');
  }

  /** The etcd range [start, end) holding every key that starts with `prefix`. */
  range(prefix: string): { key: Buffer; range_end: Buffer } {
    const key = this.encode(prefix);
    return { key, range_end: prefixEnd(key) };
  }

  kv(raw: IKeyValue): KeyValue {
    return {
      key: this.decode(raw.key),
      value: bytes(raw.value),
      createRevision: Number(raw.create_revision),
      modRevision: Number(raw.mod_revision),
    };
  }

  /** A put whose createRevision equals its modRevision created the key; a delete event's kv is
   *  filled from prevKv so it carries the last value, as the Backend contract asks. */
  event(raw: IEvent): StorageEvent {
    const prevKv = raw.prev_kv ? this.kv(raw.prev_kv) : undefined;
    const kv = this.kv(raw.kv);
    if (String(raw.type).toLowerCase() === 'delete') {
      return {
        type: 'delete',
        kv: { key: kv.key, value: prevKv?.value ?? new Uint8Array(0), createRevision: prevKv?.createRevision ?? 0, modRevision: kv.modRevision },
        prevKv,
      };
    }
    if (kv.createRevision === kv.modRevision) return { type: 'create', kv };
    return { type: 'update', kv, prevKv };
  }
}

/** etcd's prefix end: drop trailing 0xff bytes, then add one to the last; "\0" means no end. */
export function prefixEnd(key: Buffer): Buffer {
  const end = Buffer.from(key);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** Plain Uint8Array views: Buffers would compare unequal to Uint8Arrays in deep equality. */
export function bytes(b: Buffer | Uint8Array | null | undefined): Uint8Array {
  if (!b) return new Uint8Array(0);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function isCompactedMessage(err: unknown): boolean {
  return err instanceof Error && /required revision has been compacted/.test(err.message);
}

export function isFutureRevisionMessage(err: unknown): boolean {
  return err instanceof Error && /required revision is a future revision/.test(err.message);
}

/** Our error class for etcd's compacted / future-revision errors; other errors pass through. */
export async function mapRevisionError(
  err: unknown, requested: number, state: { compactRevision(): Promise<number>; currentRevision(): Promise<number> },
): Promise<unknown> {
  if (isCompactedMessage(err)) return new CompactedError(requested, await state.compactRevision());
  if (isFutureRevisionMessage(err)) return new FutureRevisionError(requested, await state.currentRevision());
  return err;
}
