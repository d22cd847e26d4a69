// Strategies by group-resource; kinds without an entry need none.
import type { Strategy } from '../strategy.js';
import { namespaceStrategy } from './namespaces.js';
import { podStrategy } from './pods.js';
import { jobStrategy } from './jobs.js';
import { ServiceAllocator, ServiceIPRange } from './service-allocator.js';
import { serviceStrategy } from './services.js';

/** A fresh set per server: some strategies (service allocation) keep state. */
export const defaultStrategies = (opts: { serviceCIDR?: string } = {}): Record<string, Strategy> => ({
  pods: podStrategy,
  namespaces: namespaceStrategy,
  'jobs.batch': jobStrategy,
  services: serviceStrategy(new ServiceAllocator(new ServiceIPRange(opts.serviceCIDR))),
});
