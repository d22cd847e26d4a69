// Apply conflicts: fields an applier would change that another manager owns, worded as the
// Kubernetes API server words them.
import { pathString } from '../fieldpath/index.js';
import type { ManagerFields } from './entries.js';

export interface Conflict {
  manager: Pick<ManagerFields, 'manager' | 'operation' | 'apiVersion' | 'subresource'>;
  path: string[];
}

/** `"name"`, `"name" with subresource "status"`, and for updaters `… using apps/v1`. */
export function describeManager(m: Conflict['manager']): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

export class ApplyConflictError extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super(conflictMessage(conflicts));
  }

  /** The Status causes: one FieldManagerConflict per field. */
  causes(): { reason: string; message: string; field: string }[] {
    return this.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.manager)}`, field: pathString(c.path) }));
  }
}

export function conflictMessage(conflicts: Conflict[]): string {
  if (conflicts.length === 1) {
    const c = conflicts[0];
    return `Apply failed with 1 conflict: conflict with ${describeManager(c.manager)}: ${pathString(c.path)}`;
  }
  const byManager = new Map<string, Conflict[]>();
  for (const c of conflicts) {
    const d = describeManager(c.manager);
    byManager.set(d, [...(byManager.get(d) ?? []), c]);
  }
  const lines: string[] = [];
  for (const d of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${d}:`);
    for (const c of byManager.get(d)!) lines.push(`- ${pathString(c.path)}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}
