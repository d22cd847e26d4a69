// The field set a value sets, and the fields that differ between two values, by schema.
import { fieldElement, indexElement, keyElement, valueElement } from './element.js';
import { childSchema, itemElementParts, shapeOf, type TypeSchema } from './schema.js';
import { FieldSet } from './set.js';
import { deepEqual } from '../deep-equal.js';

type Obj = Record<string, unknown>;

export function listItemElement(schema: TypeSchema, item: unknown, index: number): string {
  const p = itemElementParts(schema, item, index);
  return p.kind === 'key' ? keyElement(p.key) : p.kind === 'value' ? valueElement(p.value) : indexElement(index);
}

/** Items of a granular list by their path element (the first of duplicates wins). */
export function indexItems(schema: TypeSchema, list: unknown[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  list.forEach((item, i) => {
    const e = listItemElement(schema, item, i);
    if (!m.has(e)) m.set(e, item);
  });
  return m;
}

function isEmptyObject(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
}

/**
 * The fields `value` sets (what an applier owns): leaves, map entries, list items and empty or null
 * struct fields are members; a non-empty struct field is only the parent of its members.
 */
export function fieldsOf(value: unknown, schema: TypeSchema): FieldSet {
  const set = new FieldSet();
  walkFields(value, schema, [], set);
  return set;
}

function walkFields(value: unknown, schema: TypeSchema, path: string[], set: FieldSet): void {
  const shape = shapeOf(schema, value);
  if (shape === 'object') {
    for (const [k, v] of Object.entries(value as Obj)) {
      if (v === undefined) continue;
      const { schema: cs, declared } = childSchema(schema, k);
      const p = [...path, fieldElement(k)];
      const childShape = shapeOf(cs, v);
      if (childShape === 'leaf' || !declared || v === null || isEmptyObject(v)) set.insert(p);
      if (childShape !== 'leaf') walkFields(v, cs, p, set);
    }
  } else if (shape === 'list') {
    const el = schema.element();
    for (const [e, item] of indexItems(schema, value as unknown[])) {
      const p = [...path, e];
      set.insert(p);
      if (shapeOf(el, item) !== 'leaf') walkFields(item, el, p, set);
    }
  }
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** The fields added, changed and removed going from `lhs` to `rhs`. */
export function compareValues(lhs: unknown, rhs: unknown, schema: TypeSchema): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareAt(lhs, rhs, schema, [], c, true);
  return c;
}

function compareAt(lhs: unknown, rhs: unknown, schema: TypeSchema, path: string[], c: Comparison, declared: boolean): void {
  const ls = lhs === undefined ? undefined : shapeOf(schema, lhs);
  const rs = rhs === undefined ? undefined : shapeOf(schema, rhs);
  const isRoot = path.length === 0;
  // A node that appears or goes is itself added/removed, unless it is a non-empty struct field,
  // which only holds its members (as Kubernetes records Update operations); maps count.
  const selfCounts = (v: unknown, shape: Shape) => shape !== 'object' || schema.kind !== 'struct' || !declared || v === null || isEmptyObject(v);
  if (ls === undefined && rs === undefined) return;
  if (ls === 'leaf' || rs === 'leaf' || (ls !== undefined && rs !== undefined && ls !== rs)) {
    if (isRoot) return;
    if (ls === undefined) c.added.insert(path);
    else if (rs === undefined) c.removed.insert(path);
    else if (!deepEqual(lhs, rhs)) c.modified.insert(path);
    return;
  }
  if (!isRoot) {
    if (ls === undefined && selfCounts(rhs, rs!)) c.added.insert(path);
    if (rs === undefined && selfCounts(lhs, ls!)) c.removed.insert(path);
  }
  const shape = (ls ?? rs)!;
  if (shape === 'object') {
    const lo = (lhs ?? {}) as Obj;
    const ro = (rhs ?? {}) as Obj;
    for (const k of new Set([...Object.keys(lo), ...Object.keys(ro)])) {
      const { schema: cs, declared: d } = childSchema(schema, k);
      compareAt(lo[k], ro[k], cs, [...path, fieldElement(k)], c, d);
    }
  } else {
    const el = schema.element();
    const li = indexItems(schema, (lhs ?? []) as unknown[]);
    const ri = indexItems(schema, (rhs ?? []) as unknown[]);
    for (const e of new Set([...li.keys(), ...ri.keys()])) {
      const p = [...path, e];
      const l = li.get(e);
      const r = ri.get(e);
      if (l === undefined) c.added.insert(p);
      else if (r === undefined) c.removed.insert(p);
      if (shapeOf(el, l ?? r) === 'leaf') {
        if (l !== undefined && r !== undefined && !deepEqual(l, r)) c.modified.insert(p);
      } else {
        compareAt(l, r, el, p, c, true);
      }
    }
  }
}

type Shape = 'object' | 'list' | 'leaf';
