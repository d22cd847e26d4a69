// status.storedVersions of a CustomResourceDefinition: an update of the CRD that moves the storage
// version records the new one at once, as Kubernetes' CRD strategy does on every update (the
// status loop also adds it, for CRDs written before).
import { recordStorageVersion } from '../../api/apiextensions/index.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { ResourceStore } from '../registry/store.js';
import type { RequestContext, Strategy } from '../registry/strategy.js';

export function installStoredVersionRecording(crdStore: ResourceStore): void {
  const strategy = crdStore.strategy as Strategy;
  const inner = strategy.prepareForUpdate?.bind(strategy);
  strategy.prepareForUpdate = (obj: KubeObject, old: KubeObject, ctx: RequestContext): void => {
    inner?.(obj, old, ctx);
    recordStorageVersion(obj as unknown as Record<string, unknown>);
  };
}
