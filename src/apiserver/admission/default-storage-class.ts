// DefaultStorageClass admission: a new PersistentVolumeClaim that names no class (the field
// absent, not "") gets the cluster's default StorageClass; with several defaults, the newest.
import type { KubeObject } from '../../apimachinery/object.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { isDefaultStorageClass } from '../../api/resources/storage/storageclass.js';
import type { Registry } from '../registry/registry.js';

/** The beta annotation older clients use instead of spec.storageClassName; it counts as a class. */
import { ANN_BETA_STORAGE_CLASS as BETA_STORAGE_CLASS_ANNOTATION } from '../../api/resources/storage/annotations.js';

interface ClaimLike extends KubeObject { spec?: { storageClassName?: string | null } }

/** The default class: the newest of the classes marked default, ties broken by name. */
export async function defaultStorageClass(registry: Registry): Promise<StorageClass | undefined> {
  const store = registry.lookup('storage.k8s.io', 'v1', 'storageclasses');
  if (!store) return undefined;
  const { items } = await store.list(undefined, {});
  const defaults = (items as unknown as StorageClass[]).filter(isDefaultStorageClass);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
    if (ta !== tb) return tb - ta;
    return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
  });
  return defaults[0];
}

/** Sets spec.storageClassName of a new claim without a class to the default class, if there is one. */
export async function admitDefaultStorageClass(registry: Registry, claim: ClaimLike): Promise<void> {
  const spec = (claim.spec ??= {});
  if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
  if (claim.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] !== undefined) return;
  const sc = await defaultStorageClass(registry);
  if (sc?.metadata?.name) spec.storageClassName = sc.metadata.name;
}
