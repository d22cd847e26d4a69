// Conversions between kv rows and the Backend's KeyValue / StorageEvent shapes.
import type { KeyValue, StorageEvent } from '../backend.js';
import type { Row } from './schema.js';

/** better-sqlite3 returns Buffers; callers get plain Uint8Arrays (Buffer's deepEqual differs). */
export function toBytes(b: Buffer | Uint8Array | null | undefined): Uint8Array {
  if (!b) return new Uint8Array(0);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** better-sqlite3 binds Buffers, not bare Uint8Arrays; this wraps without copying. */
export function toBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export function rowToKv(row: Pick<Row, 'key' | 'revision' | 'create_revision' | 'value'>): KeyValue {
  return { key: row.key, value: toBytes(row.value), createRevision: row.create_revision, modRevision: row.revision };
}

/** A history row (joined with its predecessor's value) as the event it recorded. */
export function rowToEvent(row: Row): StorageEvent {
  if (row.created) return { type: 'create', kv: rowToKv(row) };
  const prevKv: KeyValue | undefined = row.prev_value == null ? undefined : {
    key: row.key,
    value: toBytes(row.prev_value),
    createRevision: row.prev_create_revision ?? row.create_revision,
    modRevision: row.prev_revision,
  };
  if (row.deleted) {
    return {
      type: 'delete',
      kv: { key: row.key, value: prevKv?.value ?? new Uint8Array(0), createRevision: row.create_revision, modRevision: row.revision },
      prevKv,
    };
  }
  return { type: 'update', kv: rowToKv(row), prevKv };
}
