// Every admissionregistration.k8s.io/v1 resource Kite serves.
import type { ResourceType } from '../../types.js';
import { mutatingwebhookconfigurations, validatingwebhookconfigurations } from './configurations.js';

export const admissionregistrationV1Resources: ResourceType[] = [mutatingwebhookconfigurations, validatingwebhookconfigurations];
