// CustomResourceDefinitions in the API server: the CRD resource itself and the controller that
// serves each established CRD's versions.
import type { Clock } from '../../apimachinery/clock.js';
import type { Logger } from '../../apimachinery/log.js';
import { customResourceDefinitions } from '../../api/apiextensions/index.js';
import type { Registry } from '../registry/registry.js';
import { CustomResourceController } from './controller.js';

export { CustomResourceController } from './controller.js';
export { customResourceInfo } from './custom-resource-type.js';

/** Serves apiextensions.k8s.io/v1 customresourcedefinitions (when not already) and returns the controller to start. */
export function serveCustomResourceDefinitions(registry: Registry, clock: Clock, log: Logger): CustomResourceController {
  const rt = customResourceDefinitions;
  const store = registry.lookup(rt.group, rt.version, rt.plural) ?? registry.add(rt);
  return new CustomResourceController(registry, store, clock, log.with({ component: 'crd-controller' }));
}
