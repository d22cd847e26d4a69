// Every coordination.k8s.io/v1 resource Kite serves.
import type { ResourceType } from '../../types.js';
import { leases } from './lease.js';

export const coordinationV1Resources: ResourceType[] = [leases];
