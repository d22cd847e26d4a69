// Cell formatting shared by the core kinds' `kubectl get` columns, as Kubernetes' printers render.
import type { Container } from 'kubernetes-types/core/v1.js';
import type { TableColumn } from '../../types.js';
import { humanDuration } from '../../../apimachinery/duration.js';

/** Age of a timestamp relative to `now`, or `<unknown>` when there is none. */
export function since(ts: string | undefined | null, now: number): string {
  if (!ts) return '<unknown>';
  const t = Date.parse(ts);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

/** `a=b,c=d` with keys sorted, or `<none>`. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels![k]}`).join(',');
}

export function containerNames(containers: Container[] | undefined): string {
  return (containers ?? []).map((c) => c.name).join(',');
}

export function containerImages(containers: Container[] | undefined): string {
  return (containers ?? []).map((c) => c.image ?? '').join(',');
}

const AGE_DESCRIPTION = 'CreationTimestamp is a timestamp representing the server time when this object was created.';

export function col(name: string, description = '', type: TableColumn['type'] = 'string', priority = 0): TableColumn {
  return { name, type, format: '', description, priority };
}

export const ageColumn: TableColumn = col('Age', AGE_DESCRIPTION);

/** Kubernetes' short forms for access modes, in its fixed order. */
export function accessModesString(modes: string[] | undefined): string {
  const have = new Set(modes ?? []);
  const out: string[] = [];
  if (have.has('ReadWriteOnce')) out.push('RWO');
  if (have.has('ReadOnlyMany')) out.push('ROX');
  if (have.has('ReadWriteMany')) out.push('RWX');
  if (have.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}
