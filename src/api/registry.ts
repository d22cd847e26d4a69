// Every built-in resource Kite serves, core first (the order discovery lists groups in).
import type { ResourceType } from './types.js';
import { coreV1Resources } from './resources/core/index.js';
import { appsV1Resources } from './resources/apps/index.js';
import { batchV1Resources } from './resources/batch/index.js';
import { coordinationV1Resources } from './resources/coordination/index.js';
import { discoveryV1Resources } from './resources/discovery/index.js';
import { networkingV1Resources } from './resources/networking/index.js';
import { eventsV1Resources } from './resources/events/index.js';
import { schedulingV1Resources } from './resources/scheduling/index.js';
import { rbacV1Resources } from './resources/rbac/index.js';
import { policyV1Resources } from './resources/policy/index.js';
import { storageV1Resources } from './resources/storage/index.js';
import { customResourceDefinitions } from './apiextensions/index.js';
import { admissionregistrationV1Resources } from './resources/admissionregistration/index.js';
import { authenticationV1Resources } from './resources/authentication/index.js';
import { authorizationV1Resources } from './resources/authorization/index.js';

export function allResources(): ResourceType[] {
  return [
    ...coreV1Resources,
    ...appsV1Resources,
    ...eventsV1Resources,
    ...authenticationV1Resources,
    ...authorizationV1Resources,
    ...batchV1Resources,
    ...policyV1Resources,
    ...rbacV1Resources,
    ...storageV1Resources,
    ...admissionregistrationV1Resources,
    ...schedulingV1Resources,
    ...coordinationV1Resources,
    ...discoveryV1Resources,
    ...networkingV1Resources,
    customResourceDefinitions,
  ] as ResourceType[];
}
