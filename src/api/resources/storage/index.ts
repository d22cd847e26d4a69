// Every storage.k8s.io/v1 resource Kite serves.
import type { ResourceType } from '../../types.js';
import { storageclasses } from './storageclass.js';

export const storageV1Resources: ResourceType[] = [storageclasses];
