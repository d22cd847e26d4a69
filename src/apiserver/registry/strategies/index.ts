// Strategies by group-resource; kinds without an entry need none.
import type { Strategy } from '../strategy.js';
import { namespaceStrategy } from './namespaces.js';
import { podStrategy } from './pods.js';
import { jobStrategy } from './jobs.js';

export const defaultStrategies: Record<string, Strategy> = {
  pods: podStrategy,
  namespaces: namespaceStrategy,
  'jobs.batch': jobStrategy,
};
