// The store behaviour of a served custom resource, as Kubernetes' custom resource strategy and
// storage codec give it: objects read from storage are pruned and defaulted by the version's
// schema (so a default added to the CRD later shows on existing objects), generation moves on any
// change but metadata when there is no status subresource, nothing is created while the CRD is
// terminating, and server-side apply walks the CRD's structural schema.
import type { KubeObject } from '../../apimachinery/object.js';
import { methodNotAllowed } from '../../apimachinery/status.js';
import { defaultCustomResource, pruneCustomResource, publishedSchema } from '../../api/apiextensions/index.js';
import { fieldSchemaFor } from '../../api/field-schema.js';
import type { Schema } from '../../api/schema.js';
import type { ResourceType } from '../../api/types.js';
import { setFieldSchema } from '../fieldmanager.js';
import { deepEqual } from '../registry/meta.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceStore } from '../registry/store.js';
import type { Strategy } from '../registry/strategy.js';
import { compareVersionPriority } from './version-priority.js';
import { customResourceInfo, type CustomResourceInfo } from './custom-resource-type.js';

/** Whether anything but metadata (and the type meta every version rewrites) differs. */
function contentChanged(obj: KubeObject, old: KubeObject): boolean {
  for (const k of new Set([...Object.keys(obj), ...Object.keys(old)])) {
    if (k === 'metadata' || k === 'apiVersion' || k === 'kind') continue;
    if (!deepEqual(obj[k], old[k])) return true;
  }
  return false;
}

export function customResourceStrategy(rt: ResourceType, info: CustomResourceInfo): Strategy {
  return {
    prepareForRead(obj) {
      pruneCustomResource(info.schema, obj as Record<string, unknown>);
      defaultCustomResource(info.schema, obj as Record<string, unknown>);
    },
    prepareForCreate() {
      if (info.terminating) throw methodNotAllowed('create not allowed while custom resource definition is terminating');
    },
    prepareForUpdate(obj, old) {
      // With a status subresource the store bumps generation on spec changes only; without one,
      // status is part of what the object asks for.
      if (rt.hasStatus || !contentChanged(obj, old)) return;
      obj.metadata!.generation = (old.metadata?.generation ?? 0) + 1;
    },
  };
}

/** Registers a custom resource version with its strategy and the field schema apply merges by. */
export function addCustomResource(registry: Registry, rt: ResourceType): ResourceStore {
  const info = customResourceInfo(rt)!;
  setFieldSchema(rt, fieldSchemaFor(publishedSchema(info.crd as Record<string, unknown>, rt.version) as Schema));
  return registry.add(rt, customResourceStrategy(rt, info), compareVersionPriority);
}
