// The node-resources plugins: NodeResourcesFit and NodeResourcesBalancedAllocation.
export * from './fit.js';
export * from './balancedallocation.js';
export * from './scoring.js';
export { allocatableAndRequested, resourceAmount } from './resources.js';
