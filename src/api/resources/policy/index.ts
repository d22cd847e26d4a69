// Every policy/v1 resource Kite serves.
import type { ResourceType } from '../../types.js';
import { poddisruptionbudgets } from './poddisruptionbudget.js';

export const policyV1Resources: ResourceType[] = [poddisruptionbudgets];
