// additionalPrinterColumns as the custom resource table convertor serves them: Name is implied
// first, a version without columns gets Age, each cell is the first JSONPath match rendered by the
// column's type (dates as ages, `string` columns printed as Go prints values, missing → null).
import type { TableColumn } from '../types.js';
import { humanDuration } from '../../apimachinery/duration.js';
import { getDefinition } from '../schema.js';
import { isObject } from './schema-types.js';
import { evaluate, parsePath } from './json-path.js';
import { goNumber } from './go-repr.js';

interface ColumnDefinition {
  name: string;
  type: TableColumn['type'];
  format: string;
  description: string;
  priority: number;
  jsonPath: string;
}

function creationTimestampDescription(): string {
  const meta = getDefinition('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  const prop = meta?.properties?.creationTimestamp as { description?: string } | undefined;
  return prop?.description ?? '';
}

/** The columns a version serves: its own, or Age when it declares none. */
function definitionsOf(columns: unknown[] | undefined): ColumnDefinition[] {
  const list = (columns ?? []).filter(isObject);
  if (!list.length) {
    return [{ name: 'Age', type: 'date', format: '', description: creationTimestampDescription(), priority: 0, jsonPath: '.metadata.creationTimestamp' }];
  }
  return list.map((c) => ({
    name: String(c.name ?? ''),
    type: (['integer', 'number', 'boolean', 'date', 'string'].includes(String(c.type)) ? c.type : 'string') as TableColumn['type'],
    format: typeof c.format === 'string' ? c.format : '',
    description: typeof c.description === 'string' && c.description
      ? c.description
      : `Custom resource definition column (in JSONPath format): ${typeof c.jsonPath === 'string' ? c.jsonPath : ''}`,
    priority: typeof c.priority === 'number' ? c.priority : 0,
    jsonPath: typeof c.jsonPath === 'string' ? c.jsonPath : '',
  }));
}

export function columnDefinitions(columns: unknown[] | undefined): TableColumn[] {
  return definitionsOf(columns).map((c) => ({ name: c.name, type: c.type, format: c.format, description: c.description, priority: c.priority }));
}

/** A JSON value with object keys sorted, as Go's encoding/json writes a map. */
function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortedKeys(v[k]);
  return out;
}

/**
 * What client-go's JSONPath prints for a value (a `string` column's cell): scalars as Go prints
 * them, lists and objects as compact JSON with sorted keys and Go's HTML-safe escapes.
 */
function goPrint(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  return JSON.stringify(sortedKeys(v))
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function cell(type: TableColumn['type'], value: unknown, now: number): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'string': return goPrint(value);
    case 'integer': return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number': return typeof value === 'number' ? value : null;
    case 'boolean': return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      // An empty time is the zero time, which prints as unknown.
      if (value === '' || value === 'null') return '<unknown>';
      const t = Date.parse(value);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(t)) return '<invalid>';
      return humanDuration(now - t);
    }
  }
}

export function rowCells(columns: unknown[] | undefined, obj: Record<string, unknown>, now: number): unknown[] {
  return definitionsOf(columns).map((c) => {
    let found: unknown[];
    try {
      found = evaluate(obj, parsePath(c.jsonPath));
    } catch {
      return null;
    }
    return found.length ? cell(c.type, found[0], now) : null;
  });
}
