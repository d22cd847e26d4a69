// Probes (liveness, readiness, startup) and container lifecycle hooks (postStart, preStop).
export * from './action.js';
export * from './http.js';
export * from './lifecycle.js';
export * from './manager.js';
export * from './port.js';
export { ProbeWorker, INITIAL_RESULT, type ContainerRuntimeInfo, type ProbeType } from './worker.js';
