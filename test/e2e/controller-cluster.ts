// The cluster the controller-manager e2e suites run against: `kite server` (every controller
// in-process) with a short node-monitor grace period, two fake nodes standing in for kubelets,
// and the shortcuts the suites share (raw reads, kubectl in a namespace, rollout waits, a watch
// that tracks the serving pod count, diagnostics added to failures).
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { stringify } from 'yaml';
import { startFakeNodes, type FakeNodes } from './fake-nodes.js';
import { pollUntil } from './polling.js';
import type { Kite } from './server-process.js';
import { describeBothStores, uniqueName, type SuiteContext } from './suites.js';

// A node is unhealthy 4 s after its last heartbeat, and pods on it are evicted 2 s after the taint.
export const SERVER_ARGS = ['--node-monitor-grace-period', '4s', '--default-toleration-seconds', '2'];

export const IMAGE_1 = 'busybox:1.36';
export const IMAGE_2 = 'busybox:2';
export const IMAGE_3 = 'busybox:3';

/** One multi-document YAML stream of `objects`. */
export function yamlDocs(objects: object[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

export interface DeploymentSpec {
  replicas: number;
  image?: string;
  maxSurge?: number;
  maxUnavailable?: number;
}

/** A RollingUpdate Deployment labelled app=<name> (maxSurge 1, maxUnavailable 0 unless given). */
export function deployment(ns: string, name: string, o: DeploymentSpec): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      replicas: o.replicas,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.maxSurge ?? 1, maxUnavailable: o.maxUnavailable ?? 0 } },
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [{ name, image: o.image ?? IMAGE_1, command: ['sleep', '3600'], ports: [{ containerPort: 8080 }] }],
        },
      },
    },
  };
}

/** Whether the pod's Ready condition is True. */
export function isReady(pod: any): boolean {
  return pod.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Pods that count as serving: Ready and not being deleted. */
export function serving(pods: any[]): any[] {
  return pods.filter((p) => isReady(p) && !p.metadata.deletionTimestamp);
}

/** The distinct images of the pods' first containers, sorted. */
export function images(pods: any[]): string[] {
  return [...new Set(pods.map((p) => p.spec.containers[0].image))].sort();
}

/**
 * Starts two fake nodes for the suite (in `before`, stopped in `after`; call it inside the
 * suite's describe) and returns the suite's shortcuts.
 */
export function useControllerCluster(ctx: SuiteContext) {
  let nodes: FakeNodes;
  const nodeNames = [uniqueName('node'), uniqueName('node')];
  const kite = (): Kite => ctx.kite;

  before(async () => {
    nodes = await startFakeNodes(ctx.kite, { names: nodeNames });
  });
  after(async () => {
    await nodes?.close();
  });

  const kubectl = (ns: string, args: string[], timeoutMs = 90_000) => kite().kubectl([...args, '-n', ns], { timeoutMs });

  const list = async (path: string): Promise<any[]> => {
    const res = await kite().request('GET', path);
    assert.equal(res.status, 200, `GET ${path}: ${res.body.slice(0, 500)}`);
    return res.json().items;
  };
  const get = async (path: string): Promise<any | undefined> => {
    const res = await kite().request('GET', path);
    if (res.status === 404) return undefined;
    assert.equal(res.status, 200, `GET ${path}: ${res.body.slice(0, 500)}`);
    return res.json();
  };
  const pods = (ns: string, app: string) => list(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`);
  const replicaSets = (ns: string, app: string) => list(`/apis/apps/v1/namespaces/${ns}/replicasets?labelSelector=app%3D${app}`);
  const getDeployment = (ns: string, name: string) => get(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`);

  const createNamespace = async (prefix: string): Promise<string> => {
    const ns = uniqueName(prefix);
    // (`kubectl create namespace` posts protobuf, which the server does not take; a manifest is JSON.)
    await kite().kubectl(['create', '-f', '-'], { input: yamlDocs([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }]) });
    return ns;
  };

  /** Runs `fn`, adding what the cluster looked like to any failure. */
  const withDiagnostics = async (ns: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      const show = async (args: string[]) => {
        const r = await kite().kubectl(args, { allowFail: true, timeoutMs: 20_000 }).catch((e: Error) => ({ stdout: '', stderr: e.message }));
        return `$ kubectl ${args.join(' ')}\n${r.stdout}${r.stderr}`;
      };
      const parts = [
        await show(['get', 'all', '-o', 'wide', '-n', ns]),
        await show(['get', 'nodes', '-o', 'wide']),
        await show(['get', 'events', '-n', ns, '--sort-by=.lastTimestamp']),
        `fake node errors: ${JSON.stringify(nodes.errors.slice(-20))}`,
        `--- server log (tail) ---\n${kite().log(6000)}`,
      ];
      const e = err instanceof Error ? err : new Error(String(err));
      e.message += `\n--- diagnostics ---\n${parts.join('\n')}`;
      throw e;
    }
  };

  /** Follows the pods of `app` through a watch and keeps the lowest serving count seen after any event. */
  const watchServing = async (ns: string, app: string) => {
    const res = await kite().request('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`);
    const initial = res.json();
    const state = new Map<string, any>(initial.items.map((p: any) => [p.metadata.name, p]));
    let min = serving([...state.values()]).length;
    let events = 0;
    let stopped = false;
    const stream = await kite().stream(
      `/api/v1/namespaces/${ns}/pods?watch=1&labelSelector=app%3D${app}&resourceVersion=${initial.metadata.resourceVersion}`);
    assert.equal(stream.status, 200);
    const loop = (async () => {
      while (!stopped && !stream.ended) {
        let ev: any;
        try {
          ev = await stream.nextJson(1000);
        } catch {
          continue;
        }
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED') state.set(ev.object.metadata.name, ev.object);
        else if (ev.type === 'DELETED') state.delete(ev.object.metadata.name);
        else if (ev.type === 'ERROR') throw new Error(`pod watch error: ${JSON.stringify(ev.object)}`);
        else continue;
        events += 1;
        min = Math.min(min, serving([...state.values()]).length);
      }
    })();
    let failure: unknown;
    loop.catch((err) => { failure = err; });
    return {
      min: () => { if (failure) throw failure; return min; },
      events: () => events,
      stop: () => { stopped = true; stream.close(); },
    };
  };

  /** `kubectl rollout status`, bounded. */
  const rolloutStatus = async (ns: string, name: string) => {
    const { stdout } = await kubectl(ns, ['rollout', 'status', `deploy/${name}`, '--timeout=60s']);
    assert.match(stdout, new RegExp(`deployment "${name}" successfully rolled out`));
  };

  /** Waits until the Deployment's pods are exactly `count` serving pods, all running `image`. */
  const settled = (ns: string, app: string, count: number, image: string) =>
    pollUntil(`${count} serving ${app} pods on ${image} and nothing else`, async () => {
      const all = await pods(ns, app);
      const up = serving(all);
      return all.length === count && up.length === count && up.every((p) => p.spec.containers[0].image === image) ? up : false;
    }, 30_000, 200);

  return {
    kite,
    /** The suite's fake nodes (started in `before`). */
    nodes: (): FakeNodes => nodes,
    nodeNames,
    kubectl,
    list,
    get,
    pods,
    replicaSets,
    getDeployment,
    createNamespace,
    withDiagnostics,
    watchServing,
    rolloutStatus,
    settled,
  };
}

export type ControllerCluster = ReturnType<typeof useControllerCluster>;

/** The controller-manager suite, once per store: a server with SERVER_ARGS and two fake nodes. */
export function describeControllerManager(fn: (cluster: ControllerCluster) => void): void {
  describeBothStores('controller manager', (ctx) => fn(useControllerCluster(ctx)), { extraArgs: SERVER_ARGS });
}
