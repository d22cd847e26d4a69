// Table cells the kubectl printers share (AGE, CONTAINERS/IMAGES, SELECTOR, label maps, bool
// pointers), rendered as Kubernetes' printers render them.
import { humanDuration } from '../../../apimachinery/duration.js';
import { formatLabelSelector } from '../../../apimachinery/labels.js';
import type { Container } from 'kubernetes-types/core/v1.js';
import type { LabelSelector, ObjectMeta } from 'kubernetes-types/meta/v1.js';

/** `humanDuration(now - t)`, or `<unknown>` for a missing or unparsable timestamp. */
export function since(timestamp: string | undefined | null, now: number): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

/** The AGE cell: time since `metadata.creationTimestamp`. */
export function age(obj: { metadata?: ObjectMeta }, now: number): string {
  return since(obj.metadata?.creationTimestamp, now);
}

/** CONTAINERS and IMAGES cells: names and images joined with ",". */
export function containerCells(containers: Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** SELECTOR cell as metav1.FormatLabelSelector renders it (`<none>` when empty). */
export function selectorCell(ls: LabelSelector | undefined): string {
  return formatLabelSelector(ls);
}

/** A label map as labels.FormatLabels renders it: `a=b,c=d` with keys sorted, or `<none>`. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** "True"/"False", or `<unset>` for a missing pointer, as the printers' printBoolPtr. */
export function boolPtrCell(v: boolean | undefined): string {
  if (v === undefined || v === null) return '<unset>';
  return v ? 'True' : 'False';
}
