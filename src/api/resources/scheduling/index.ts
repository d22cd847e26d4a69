// Every scheduling.k8s.io/v1 resource Kite serves.
import type { ResourceType } from '../../types.js';
import { priorityclasses } from './priorityclass.js';

export const schedulingV1Resources: ResourceType[] = [priorityclasses];
