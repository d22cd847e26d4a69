// What the API costs the scheduler per pod, without scheduling: bindings of pending pods through
// the in-process transport (64 at a time), with and without the Scheduled event each binding
// records and a pod informer watching them, against the benchmark's SQLite API server.
//   node --import tsx bench/scheduler-api.ts [pods=5000]
import type { Pod } from 'kubernetes-types/core/v1.js';
import { realClock } from '../src/apimachinery/clock.js';
import { createLogger } from '../src/apimachinery/log.js';
import type { KubeObject } from '../src/apimachinery/object.js';
import { createEventRecorder } from '../src/client/events.js';
import { createInformerFactory } from '../src/client/informers.js';
import { resourceForKind } from '../src/client/rest.js';
import { pooled, startCluster } from './scheduler-run.js';
import { NAMESPACE, workloads } from './scheduler-workloads.js';

const PODS = Number(process.argv[2] ?? 5000);
const NODES = 100;

async function measure(events: boolean, informer: boolean): Promise<number> {
  const logger = createLogger({ sink: process.stderr, human: true, level: 'warn' });
  const cluster = await startCluster(logger);
  const stop = new AbortController();
  try {
    const admin = cluster.client('bench-admin');
    await admin.kind('v1', 'Namespace').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } } as KubeObject);
    const w = workloads.basic!;
    await pooled(NODES, 32, (i) => admin.kind('v1', 'Node').create(undefined, w.node(i) as KubeObject));
    await pooled(PODS, 64, (i) => admin.kind('v1', 'Pod').create(NAMESPACE, w.pod(i) as KubeObject));
    const client = cluster.client('system:kube-scheduler');
    if (informer) {
      const f = createInformerFactory(client, { clock: realClock, logger });
      f.informer<Pod & KubeObject>(resourceForKind('v1', 'Pod')).addEventHandler({ onUpdate: () => undefined });
      f.start(stop.signal);
      await f.waitForSync(stop.signal);
    }
    const recorder = createEventRecorder(client, { component: 'default-scheduler', clock: realClock, logger });
    const pods = client.kind('v1', 'Pod');
    const t0 = performance.now();
    await pooled(PODS, 64, async (i) => {
      const name = `${w.pod(i).metadata!.name}`;
      const node = `node-${i % NODES}`;
      await pods.subresource('POST', NAMESPACE, name, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } });
      if (events) {
        recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NAMESPACE, uid: `uid-${i}` } }, 'Normal', 'Scheduled', `Successfully assigned ${NAMESPACE}/${name} to ${node}`);
      }
    });
    await recorder.flush();
    return (performance.now() - t0) / PODS;
  } finally {
    stop.abort();
    await cluster.close();
  }
}

console.log(`API work per pod, ${PODS} bindings through the in-process transport (64 at a time):\n`);
console.log('| binding | Scheduled event | pod informer | µs per pod | pods/s |\n|---|---|---|---:|---:|');
for (const [events, informer] of [[false, false], [true, false], [false, true], [true, true]] as const) {
  const ms = await measure(events, informer);
  console.log(`| yes | ${events ? 'yes' : 'no'} | ${informer ? 'yes' : 'no'} | ${(ms * 1000).toFixed(0)} | ${(1000 / ms).toFixed(0)} |`);
}
process.exit(0);
