// Server-side printing: `meta.k8s.io/v1` Table responses for `kubectl get`.
import type { KubeObject } from '../apimachinery/object.js';
import type { ResourceType, TableColumn } from '../api/types.js';

const nameColumn: TableColumn = {
  name: 'Name', type: 'string', format: 'name', priority: 0,
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.',
};

const createdAtColumn: TableColumn = {
  name: 'Created At', type: 'date', priority: 0,
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Kinds print Name first, unless they place a `format: name` column themselves (events do). */
function placesOwnName(rt: ResourceType): boolean {
  return Boolean(rt.row && rt.columns?.some((c) => c.format === 'name'));
}

export function tableColumns(rt: ResourceType): TableColumn[] {
  const cols = rt.columns && rt.row ? rt.columns : [createdAtColumn];
  return (placesOwnName(rt) ? cols : [nameColumn, ...cols]).map((c) => ({ format: '', description: '', ...c }));
}

function cells(rt: ResourceType, obj: KubeObject, now: number): unknown[] {
  if (placesOwnName(rt)) return rt.row!(obj, now);
  const name = obj.metadata?.name ?? '';
  if (rt.columns && rt.row) return [name, ...rt.row(obj, now)];
  return [name, obj.metadata?.creationTimestamp ?? '<unknown>'];
}

export function partialObjectMetadata(obj: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
}

function rowObject(obj: KubeObject, include: IncludeObject): KubeObject | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return partialObjectMetadata(obj);
}

export function toTable(
  rt: ResourceType,
  objects: KubeObject[],
  opts: { now: number; include: IncludeObject; resourceVersion?: string; continueToken?: string; withColumns?: boolean },
): Record<string, unknown> {
  const rows = objects.map((obj) => {
    const row: Record<string, unknown> = { cells: cells(rt, obj, opts.now) };
    const o = rowObject(obj, opts.include);
    if (o) row.object = o;
    return row;
  });
  const metadata: Record<string, string> = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continueToken) metadata.continue = opts.continueToken;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: opts.withColumns === false ? null : tableColumns(rt),
    rows,
  };
}
