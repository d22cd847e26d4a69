// Every networking.k8s.io/v1 resource Kite serves.
import type { ResourceType } from '../../types.js';
import { ingresses } from './ingress.js';
import { ingressclasses } from './ingressclass.js';
import { networkpolicies } from './networkpolicy.js';

export const networkingV1Resources: ResourceType[] = [networkpolicies, ingressclasses, ingresses];
