// The core (legacy, group "") v1 resources the API server serves.
import type { ResourceType } from '../../types.js';
import { configMapResource } from './configmap.js';
import { endpointsResource } from './endpoints.js';
import { eventResource } from './event.js';
import { limitRangeResource } from './limitrange.js';
import { namespaceResource } from './namespace.js';
import { nodeResource } from './node.js';
import { persistentVolumeClaimResource, persistentVolumeResource } from './persistentvolume.js';
import { podResource } from './pod.js';
import { podTemplateResource } from './podtemplate.js';
import { replicationControllerResource } from './replicationcontroller.js';
import { resourceQuotaResource } from './resourcequota.js';
import { secretResource } from './secret.js';
import { serviceAccountResource } from './serviceaccount.js';
import { serviceResource } from './service.js';

export const coreV1Resources: ResourceType[] = [
  configMapResource, endpointsResource, eventResource, limitRangeResource, namespaceResource, nodeResource,
  persistentVolumeClaimResource, persistentVolumeResource, podResource, podTemplateResource,
  replicationControllerResource, resourceQuotaResource, secretResource, serviceAccountResource, serviceResource,
] as unknown as ResourceType[];

export { setPodSpecDefaults, setPodTemplateSpecDefaults, validatePodSpec, validatePodTemplateSpec } from './pod-spec.js';
