// `kubectl get` column definitions the resource groups share.
import type { TableColumn } from '../../types.js';

export function column(name: string, description = '', type: TableColumn['type'] = 'string', priority = 0): TableColumn {
  return { name, type, format: '', description, priority };
}

/**
 * AGE as the core kinds declare it, described with metav1's creationTimestamp wording. The other
 * groups declare AGE_COLUMN; the two differ only in the description a Table response carries.
 */
export const CORE_AGE_COLUMN: TableColumn = column(
  'Age', 'CreationTimestamp is a timestamp representing the server time when this object was created.',
);

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
