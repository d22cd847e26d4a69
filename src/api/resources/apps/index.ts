// Every apps/v1 resource Kite serves.
import type { ResourceType } from '../../types.js';
import { controllerrevisions } from './controllerrevision.js';
import { daemonsets } from './daemonset.js';
import { deployments } from './deployment.js';
import { replicasets } from './replicaset.js';
import { statefulsets } from './statefulset.js';

export const appsV1Resources: ResourceType[] = [deployments, replicasets, statefulsets, daemonsets, controllerrevisions];
