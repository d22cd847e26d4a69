// The node agent's Node object: capacity, identity, conditions, registration, status and Lease.
export * from './agent.js';
export * from './capacity.js';
export * from './conditions.js';
export * from './host.js';
export * from './identity.js';
export * from './lease.js';
export * from './status.js';
