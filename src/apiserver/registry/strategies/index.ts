// Strategies by group-resource; kinds without an entry need none.
import type { Strategy } from '../strategy.js';
import { namespaceStrategy } from './namespaces.js';
import { podStrategy } from './pods.js';
import { jobStrategy } from './jobs.js';
import { serviceStrategy } from './services.js';

/** A fresh set per server: some strategies (service allocation) keep state. */
export const defaultStrategies = (): Record<string, Strategy> => ({
  pods: podStrategy,
  namespaces: namespaceStrategy,
  'jobs.batch': jobStrategy,
  services: serviceStrategy(),
});
