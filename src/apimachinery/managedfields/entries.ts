// metadata.managedFields: decoding entries into sets per manager and encoding them back, merged
// per manager identity and sorted as Kubernetes sorts them.
import { FieldSet } from '../fieldpath/index.js';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** One manager's fields. Appliers are one identity across API versions; updaters one per version. */
export interface ManagerFields {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** Managers by identity (see `managerKey`). */
export type Managed = Map<string, ManagerFields>;

export function managerKey(m: Pick<ManagerFields, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify([m.manager, m.operation, m.operation === 'Apply' ? '' : m.apiVersion, m.subresource ?? '']);
}

/** Whether a client sent the one empty entry that asks to reset managedFields. */
export function isResetRequest(entries: unknown): boolean {
  return Array.isArray(entries) && entries.length === 1 && entries[0] !== null && typeof entries[0] === 'object'
    && Object.keys(entries[0] as object).length === 0;
}

/** Decodes entries; throws a message on an entry Kubernetes would not accept. */
export function decodeManagedFields(entries: unknown): Managed {
  const out: Managed = new Map();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  for (const raw of entries as ManagedFieldsEntry[]) {
    if (raw === null || typeof raw !== 'object') throw new Error('managedFields entries must be objects');
    if (raw.fieldsType !== 'FieldsV1') throw new Error(`unknown fieldsType: ${JSON.stringify(raw.fieldsType ?? '')}`);
    if (raw.operation !== 'Apply' && raw.operation !== 'Update') throw new Error(`unknown operation: ${JSON.stringify(raw.operation ?? '')}`);
    const m: ManagerFields = {
      manager: raw.manager ?? '',
      operation: raw.operation,
      apiVersion: raw.apiVersion ?? '',
      subresource: raw.subresource || undefined,
      time: raw.time,
      set: FieldSet.fromFieldsV1(raw.fieldsV1 ?? {}),
    };
    const key = managerKey(m);
    const prior = out.get(key);
    if (prior) {
      prior.set = prior.set.union(m.set);
      if (m.time && (!prior.time || m.time > prior.time)) prior.time = m.time;
    } else out.set(key, m);
  }
  return out;
}

function seconds(t: string | undefined): number {
  const n = t ? Date.parse(t) : NaN;
  return Number.isNaN(n) ? 0 : Math.floor(n / 1000);
}

/** Entries for metadata.managedFields: empty sets dropped; Apply before Update, then oldest first. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] {
  const entries: ManagedFieldsEntry[] = [];
  for (const m of managed.values()) {
    if (m.set.isEmpty()) continue;
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = m.set.toFieldsV1();
    if (m.subresource) e.subresource = m.subresource;
    entries.push(e);
  }
  const cmp = (a: string | undefined, b: string | undefined) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);
  return entries.sort((p, q) => cmp(p.operation, q.operation) || seconds(p.time) - seconds(q.time)
    || cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource, q.subresource));
}

/** Kubernetes keeps at most this many Update entries; older ones fold into one per API version. */
export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES_MANAGER = 'ancient-changes';

export function capUpdateManagers(managed: Managed, max = MAX_UPDATE_MANAGERS): Managed {
  const updaters = [...managed.entries()].filter(([, m]) => m.operation === 'Update');
  if (updaters.length <= max) return managed;
  updaters.sort(([, a], [, b]) => seconds(a.time) - seconds(b.time));
  const firstByVersion = new Map<string, string>();
  let count = updaters.length;
  for (const [key, m] of updaters) {
    if (count <= max) break;
    const bucket: ManagerFields = { manager: ANCIENT_CHANGES_MANAGER, operation: 'Update', apiVersion: m.apiVersion, set: m.set };
    const bucketKey = managerKey(bucket);
    const first = firstByVersion.get(m.apiVersion);
    if (first === undefined) { firstByVersion.set(m.apiVersion, key); continue; }
    if (!managed.has(bucketKey)) {
      const f = managed.get(first)!;
      managed.delete(first);
      managed.set(bucketKey, { ...bucket, set: f.set, time: f.time });
    }
    const b = managed.get(bucketKey)!;
    b.set = b.set.union(m.set);
    b.time = m.time;
    managed.delete(key);
    count--;
  }
  return managed;
}
