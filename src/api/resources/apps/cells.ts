// Table cells the kubectl printers share (AGE, CONTAINERS/IMAGES, SELECTOR), plus the typed
// `ResourceType` constructor every non-core group uses.
import type { KubeObject } from '../../../apimachinery/object.js';
import { humanDuration } from '../../../apimachinery/duration.js';
import { formatLabelSelector } from '../../../apimachinery/labels.js';
import type { ResourceType, TableColumn } from '../../types.js';
import type { Container } from 'kubernetes-types/core/v1.js';
import type { LabelSelector, ObjectMeta } from 'kubernetes-types/meta/v1.js';

/**
 * Lets a kind be written against its kubernetes-types interface and still be listed as a plain
 * `ResourceType`: the server only ever hands each entry objects of its own kind.
 */
export function defineResource<T>(rt: ResourceType<T & KubeObject>): ResourceType {
  return rt as unknown as ResourceType;
}

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

/** "True"/"False", or `<unset>` for a missing pointer, as the printers' printBoolPtr. */
export function boolPtrCell(v: boolean | undefined): string {
  if (v === undefined || v === null) return '<unset>';
  return v ? 'True' : 'False';
}

export const AGE_COLUMN: TableColumn = {
  name: 'Age', type: 'string', priority: 0,
  description: 'Time since the object was created (metadata.creationTimestamp).',
};

/** The `-o wide` CONTAINERS, IMAGES (and usually SELECTOR) columns of pod-owning kinds. */
export function templateColumns(withSelector: boolean): TableColumn[] {
  const cols: TableColumn[] = [
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.' },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.' },
  ];
  if (withSelector) {
    cols.push({ name: 'Selector', type: 'string', priority: 1, description: 'Label query over the pods the object manages.' });
  }
  return cols;
}

/** Status and scale subresources of the apps workloads. */
export function statusSubresource(kind: string) {
  return { name: 'status', kind, verbs: ['get', 'patch', 'update'] };
}

export const SCALE_SUBRESOURCE = {
  name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'],
};

export const REPLICAS_SCALE = { specReplicas: 'spec.replicas', statusReplicas: 'status.replicas', labelSelector: 'spec.selector' };
