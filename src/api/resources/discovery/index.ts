// Every discovery.k8s.io/v1 resource Kite serves.
import type { ResourceType } from '../../types.js';
import { endpointslices } from './endpointslice.js';

export const discoveryV1Resources: ResourceType[] = [endpointslices];
