// Strategies by group-resource; kinds without an entry need none.
import type { Strategy } from '../strategy.js';
import { namespaceStrategy } from './namespaces.js';
import { podStrategy } from './pods.js';

export const defaultStrategies: Record<string, Strategy> = {
  pods: podStrategy,
  namespaces: namespaceStrategy,
};
