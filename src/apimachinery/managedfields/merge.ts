// The apply merge: an applied configuration merged into the live object by the schema's list and
// map types, and the removal of fields an applier gave up that nobody else owns.
import { childSchema, fieldElement, indexItems, listItemElement, shapeOf, type FieldSet, type TypeSchema } from '../fieldpath/index.js';

type Obj = Record<string, unknown>;

/**
 * `config` merged into `live`: leaves, atomic lists and atomic maps are replaced, granular maps
 * merge key by key, `set` and `map` lists merge item by item (live-only items keep their place,
 * shared and new items follow the configuration's order). A null in the configuration removes.
 */
export function mergeValues(live: unknown, config: unknown, schema: TypeSchema): unknown {
  if (config === undefined) return live;
  const shape = shapeOf(schema, config);
  if (shape === 'leaf' || live === undefined || live === null || shapeOf(schema, live) !== shape) {
    return shape === 'leaf' ? structuredClone(config) : mergeValues(shape === 'list' ? [] : {}, config, schema);
  }
  if (shape === 'object') {
    const out: Obj = { ...(live as Obj) };
    for (const [k, v] of Object.entries(config as Obj)) {
      if (v === undefined) continue;
      if (v === null) { delete out[k]; continue; }
      out[k] = mergeValues(out[k], v, childSchema(schema, k).schema);
    }
    return out;
  }
  return mergeLists(live as unknown[], config as unknown[], schema);
}

function mergeLists(live: unknown[], config: unknown[], schema: TypeSchema): unknown[] {
  const el = schema.element();
  const liveByKey = indexItems(schema, live);
  const cfgByKey = indexItems(schema, config);
  const lhs = [...liveByKey.keys()];
  const rhs = [...cfgByKey.keys()];
  // Shared items come in the configuration's order; `due` is the next one of them.
  const shared = rhs.filter((k) => liveByKey.has(k));
  let due = 0;
  const out: unknown[] = [];
  const emitted = new Set<string>();
  const emit = (k: string) => {
    out.push(mergeValues(liveByKey.get(k), cfgByKey.get(k), el));
    emitted.add(k);
    if (shared[due] === k) due++;
  };
  let li = 0;
  let ri = 0;
  while (li < lhs.length || ri < rhs.length) {
    if (li < lhs.length && ri < rhs.length) {
      if (lhs[li] === rhs[ri]) { emit(rhs[ri]); li++; ri++; continue; }
      if (cfgByKey.has(lhs[li]) && due < shared.length && shared[due] !== lhs[li]) { li++; continue; }
    }
    if (li < lhs.length) {
      const k = lhs[li];
      if (!cfgByKey.has(k)) { out.push(liveByKey.get(k)); li++; continue; }
      if (emitted.has(k)) { li++; continue; }
    }
    if (ri < rhs.length) { if (!emitted.has(rhs[ri])) emit(rhs[ri]); ri++; continue; }
    li++;
  }
  return out;
}

/**
 * `value` without the members of `remove`, except where `keep` has the member or anything below
 * it (then only the parts below that are in `remove` and not kept go).
 */
export function removeFields(value: unknown, remove: FieldSet, keep: FieldSet, schema: TypeSchema, path: string[] = []): unknown {
  const shape = shapeOf(schema, value);
  if (shape === 'object') {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value as Obj)) {
      const p = [...path, fieldElement(k)];
      if (remove.has(p) && !keep.hasPrefix(p)) continue;
      out[k] = remove.child(p) ? removeFields(v, remove, keep, childSchema(schema, k).schema, p) : v;
    }
    return out;
  }
  if (shape === 'list') {
    const el = schema.element();
    const out: unknown[] = [];
    (value as unknown[]).forEach((item, i) => {
      const p = [...path, listItemElement(schema, item, i)];
      if (remove.has(p) && !keep.hasPrefix(p)) return;
      if (!remove.child(p)) { out.push(item); return; }
      const kept = removeFields(item, remove, keep, el, p) as Obj;
      // A keyed item that stays keeps its key fields.
      for (const k of schema.listKeys ?? []) if ((item as Obj)[k] !== undefined) kept[k] = (item as Obj)[k];
      out.push(kept);
    });
    return out;
  }
  return value;
}
