// Every rbac.authorization.k8s.io/v1 resource Kite serves.
import type { ResourceType } from '../../types.js';
import { clusterrolebindings } from './clusterrolebinding.js';
import { clusterroles } from './clusterrole.js';
import { rolebindings } from './rolebinding.js';
import { roles } from './role.js';

export const rbacV1Resources: ResourceType[] = [roles, rolebindings, clusterroles, clusterrolebindings];
