// Scheduling cycles without the API: the default profile's framework on the scheduler cache,
// each pod assumed and then confirmed bound as the informer would, so only the cycle's own cost
// is measured (snapshot, PreFilter, Filter, Score, Reserve). For profiling the hot paths.
//   node --import tsx bench/scheduler-cycle.ts [workload=basic] [nodes] [pods]
import type { Pod } from 'kubernetes-types/core/v1.js';
import { realClock } from '../src/apimachinery/clock.js';
import { silentLogger } from '../src/apimachinery/log.js';
import type { ApiClient } from '../src/client/rest.js';
import { SchedulerCache } from '../src/scheduler/cache/cache.js';
import { Framework } from '../src/scheduler/framework/runtime.js';
import { CycleState } from '../src/scheduler/framework/types.js';
import { defaultProfile, defaultRegistry } from '../src/scheduler/plugins/registry.js';
import { workloads } from './scheduler-workloads.js';

const [name = 'basic', nodesArg, podsArg] = process.argv.slice(2);
const w = workloads[name];
if (!w) throw new Error(`unknown workload ${name}`);
const nodes = Number(nodesArg ?? w.nodes);
const pods = Number(podsArg ?? w.pods);

const registry = defaultRegistry();
const fwk = new Framework(defaultProfile(registry), registry, {
  client: undefined as unknown as ApiClient, clock: realClock, logger: silentLogger, recorder: { event: () => undefined },
});
const cache = new SchedulerCache(realClock);
for (let i = 0; i < nodes; i++) cache.addNode(w.node(i));
for (let i = 0; i < w.initPods; i++) {
  const p = w.initPod(i, `node-${i % nodes}`);
  cache.addPod({ ...p, metadata: { ...p.metadata, uid: `init-${i}` } });
}

let uid = 0;
const run = (count: number): number => {
  let failed = 0;
  for (let i = 0; i < count; i++) {
    const template = w.pod(i);
    const pod: Pod = { ...template, metadata: { ...template.metadata, uid: `uid-${uid++}` } };
    try {
      const host = fwk.schedulePod(new CycleState(), pod, cache.snapshot()).suggestedHost;
      cache.assume(pod, host);
      cache.addPod({ ...pod, spec: { ...pod.spec!, nodeName: host } });
    } catch {
      failed++;
    }
  }
  return failed;
};

run(Math.min(200, pods));
const t0 = performance.now();
const failed = run(pods);
const ms = performance.now() - t0;
console.log(`${name}: ${nodes} nodes, ${pods} pods: ${(pods / (ms / 1000)).toFixed(0)} cycles/s, ${((ms * 1000) / pods).toFixed(0)} µs a cycle, ${failed} unschedulable`);
