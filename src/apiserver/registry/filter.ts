// Label and field selectors applied to objects of one resource.
import type { KubeObject } from '../../apimachinery/object.js';
import { parseSelector, type LabelSelector } from '../../apimachinery/labels.js';
import { parseFieldSelector, type FieldSelector } from '../../apimachinery/fields.js';
import { badRequest } from '../../apimachinery/status.js';
import type { ResourceType } from '../../api/types.js';

export interface ObjectFilter {
  matches(obj: KubeObject): boolean;
  /** The name when the field selector pins exactly one object (`metadata.name=x`). */
  name?: string;
}

export function fieldGetter(rt: ResourceType, obj: KubeObject): (field: string) => string | undefined {
  return (field) => {
    if (field === 'metadata.name') return obj.metadata?.name ?? '';
    if (field === 'metadata.namespace') return obj.metadata?.namespace ?? '';
    const get = rt.fields?.[field];
    return get ? (get(obj) ?? '') : undefined;
  };
}

/** Builds a filter from `labelSelector` and `fieldSelector` query values; undefined when both are empty. */
export function buildFilter(rt: ResourceType, labelSelector: string | null, fieldSelector: string | null): ObjectFilter | undefined {
  const labels: LabelSelector | undefined = labelSelector ? parseSelector(labelSelector) : undefined;
  const fields: FieldSelector | undefined = fieldSelector ? parseFieldSelector(fieldSelector) : undefined;
  if (fields) {
    for (const r of fields.requirements) {
      if (r.field !== 'metadata.name' && r.field !== 'metadata.namespace' && !rt.fields?.[r.field]) {
        throw badRequest(`field label not supported: ${r.field}`);
      }
    }
  }
  const lEmpty = !labels || labels.empty();
  const fEmpty = !fields || fields.empty();
  if (lEmpty && fEmpty) return undefined;
  return {
    name: fields?.onlyField('metadata.name'),
    matches(obj) {
      if (!lEmpty && !labels!.matches(obj.metadata?.labels)) return false;
      if (!fEmpty && !fields!.matches(fieldGetter(rt, obj))) return false;
      return true;
    },
  };
}
