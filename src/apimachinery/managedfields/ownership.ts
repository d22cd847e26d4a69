// Who owns which fields after a write: Update operations take the fields they changed from
// everyone else; Apply operations own what they applied and conflict with other owners of fields
// whose values they change, unless forced.
import { FieldSet, compareValues, fieldsOf, type TypeSchema } from '../fieldpath/index.js';
import { ApplyConflictError, type Conflict } from './conflict.js';
import { managerKey, type Managed, type ManagerFields } from './entries.js';
import { removeFields } from './merge.js';

export interface Writer {
  manager: string;
  apiVersion: string;
  subresource?: string;
}

/** Paths of fields no manager owns: the object's identity and server bookkeeping. */
const unowned = FieldSet.fromPaths([
  ['f:apiVersion'], ['f:kind'], ['f:metadata'], ['f:metadata', 'f:name'], ['f:metadata', 'f:namespace'],
  ['f:metadata', 'f:creationTimestamp'], ['f:metadata', 'f:selfLink'], ['f:metadata', 'f:uid'],
  ['f:metadata', 'f:generation'], ['f:metadata', 'f:managedFields'], ['f:metadata', 'f:resourceVersion'],
]);

/** Options that are the same for both operations. */
export interface OwnershipOptions {
  schema: TypeSchema;
  /** Subtrees this write may not own (status on the main resource, the rest on /status). */
  ignored?: FieldSet;
  /** RFC 3339 time for the writer's entry. */
  now: string;
}

function copyManaged(managed: Managed): Managed {
  const out: Managed = new Map();
  for (const [k, m] of managed) out.set(k, { ...m });
  return out;
}

function filter(set: FieldSet, ignored?: FieldSet): FieldSet {
  return ignored ? set.recursiveDifference(ignored) : set;
}

function dropEmpty(managed: Managed): Managed {
  for (const [k, m] of managed) if (m.set.isEmpty()) managed.delete(k);
  return managed;
}

/** Ownership after a non-apply write from `live` (undefined on create) to `next`. */
export function updateOwnership(managed: Managed, live: unknown, next: unknown, writer: Writer, o: OwnershipOptions): Managed {
  const out = copyManaged(managed);
  const c = compareValues(live ?? {}, next, o.schema);
  const changed = filter(c.added.union(c.modified), o.ignored);
  const removed = filter(c.removed, o.ignored);
  for (const m of out.values()) m.set = m.set.difference(changed).difference(removed);
  const mine = changed.difference(unowned);
  const key = managerKey({ ...writer, operation: 'Update' });
  if (!mine.isEmpty()) {
    const prior = out.get(key);
    out.set(key, { ...writer, operation: 'Update', set: prior ? prior.set.union(mine) : mine, time: o.now });
  }
  return dropEmpty(out);
}

/** The set an applied configuration claims. */
export function appliedSet(config: unknown, o: OwnershipOptions): FieldSet {
  return filter(fieldsOf(config, o.schema), o.ignored).difference(unowned);
}

/**
 * `merged` without the fields the applier applied last time and no longer applies, unless
 * another manager owns them (or something below them).
 */
export function pruneUnapplied(merged: unknown, managed: Managed, writer: Writer, applied: FieldSet, schema: TypeSchema): unknown {
  const key = managerKey({ ...writer, operation: 'Apply' });
  const last = managed.get(key)?.set;
  if (!last || last.isEmpty()) return merged;
  let owned = applied;
  for (const [k, m] of managed) if (k !== key) owned = owned.union(m.set);
  const remove = last.difference(owned);
  return remove.isEmpty() ? merged : removeFields(merged, remove, owned, schema);
}

/** Fields other managers own that the write from `live` to `next` changes, by manager. */
export function findConflicts(managed: Managed, live: unknown, next: unknown, writer: Writer, o: OwnershipOptions): Conflict[] {
  const key = managerKey({ ...writer, operation: 'Apply' });
  const c = compareValues(live, next, o.schema);
  const changed = filter(c.added.union(c.modified), o.ignored);
  const conflicts: Conflict[] = [];
  for (const k of [...managed.keys()].sort()) {
    if (k === key) continue;
    const m = managed.get(k)!;
    for (const path of m.set.intersection(changed).paths()) conflicts.push({ manager: m, path });
  }
  return conflicts;
}

/**
 * Ownership after applying `applied` (the set of the configuration) that turned `live` into
 * `next`. Throws ApplyConflictError unless `force` or no other manager owns a changed field.
 * `changedObject` false keeps the applier's time as it was (an apply that changed nothing).
 */
export function applyOwnership(
  managed: Managed, live: unknown, next: unknown, applied: FieldSet, writer: Writer, force: boolean,
  o: OwnershipOptions & { changedObject: boolean },
): Managed {
  const conflicts = findConflicts(managed, live, next, writer, o);
  if (conflicts.length && !force) throw new ApplyConflictError(conflicts);
  const out = copyManaged(managed);
  const key = managerKey({ ...writer, operation: 'Apply' });
  const c = compareValues(live, next, o.schema);
  const changed = filter(c.added.union(c.modified), o.ignored);
  const removed = filter(c.removed, o.ignored);
  for (const [k, m] of out) if (k !== key) m.set = m.set.difference(changed).difference(removed);
  const prior = out.get(key);
  const entry: ManagerFields = { ...writer, operation: 'Apply', set: applied, time: prior?.time };
  if (o.changedObject || !prior || !prior.set.equals(applied)) entry.time = o.now;
  out.set(key, entry);
  return dropEmpty(out);
}
