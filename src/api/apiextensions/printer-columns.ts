import type { TableColumn } from '../types.js';

export function columnDefinitions(_columns: unknown[] | undefined): TableColumn[] {
  return [];
}

export function rowCells(_columns: unknown[] | undefined, _obj: Record<string, unknown>, _now: number): unknown[] {
  return [];
}
