// Every events.k8s.io/v1 resource Kite serves.
import type { ResourceType } from '../../types.js';
import { events } from './event.js';

export const eventsV1Resources: ResourceType[] = [events];
