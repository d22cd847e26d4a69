// The e2e helpers in one import, for code outside test/e2e (the benchmarks). The tests import the
// module they need: server-process (starting `kite server`), suites (describeBothStores and
// friends), kubectl, https (raw requests and streams), polling, child-processes.
export * from './server-process.js';
export * from './suites.js';
export * from './kubectl.js';
export * from './https.js';
export * from './polling.js';
