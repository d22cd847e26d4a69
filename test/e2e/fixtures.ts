// Manifests and raw-API shortcuts shared by the e2e suites.
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import type { Kite } from './server-process.js';
import { uniqueName } from './suites.js';

export function yamlDocs(...objects: object[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

export function namespace(name: string, labels?: Record<string, string>): object {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) } };
}

export function configMap(ns: string, name: string, data: Record<string, string>, labels?: Record<string, string>): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, ...(labels ? { labels } : {}) }, data };
}

export interface DeploymentOptions {
  replicas?: number;
  image?: string;
  sidecarImage?: string;
}

/** A two-container deployment labelled app=<name>. */
export function deployment(ns: string, name: string, o: DeploymentOptions = {}): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      replicas: o.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'web', image: o.image ?? 'nginx:1.25', ports: [{ containerPort: 80 }] },
            { name: 'sidecar', image: o.sidecarImage ?? 'busybox:1.36', command: ['sleep', '3600'] },
          ],
        },
      },
    },
  };
}

export function service(ns: string, name: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: { selector: { app: name }, ports: [{ port: 80 }] },
  };
}

/** Creates a namespace through the API (no kubectl round trip). */
export async function createNamespace(kite: Kite, name: string): Promise<void> {
  const res = await kite.request('POST', '/api/v1/namespaces', namespace(name));
  assert.equal(res.status, 201, `create namespace ${name}: ${res.body}`);
}

/** POSTs `obj` to `collectionPath` and returns the created object. */
export async function createObject(kite: Kite, collectionPath: string, obj: object): Promise<any> {
  const res = await kite.request('POST', collectionPath, obj);
  assert.equal(res.status, 201, `POST ${collectionPath}: ${res.body}`);
  return res.json();
}

/** GETs `path`, asserting 200. */
export async function getObject(kite: Kite, path: string): Promise<any> {
  const res = await kite.request('GET', path);
  assert.equal(res.status, 200, `GET ${path}: ${res.body}`);
  return res.json();
}

export function cmPath(ns: string, name?: string): string {
  return `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ''}`;
}

export function deployPath(ns: string, name?: string): string {
  return `/apis/apps/v1/namespaces/${ns}/deployments${name ? `/${name}` : ''}`;
}

/** Lines of output, trimmed, without empties. */
export function lines(text: string): string[] {
  return text.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
}

/** A namespace holding configmap app-config (a=1, b=two), deployment web and service web. */
export async function seed(kite: Kite, prefix: string): Promise<string> {
  const ns = uniqueName(prefix);
  await createNamespace(kite, ns);
  await createObject(kite, cmPath(ns), configMap(ns, 'app-config', { a: '1', b: 'two' }));
  await createObject(kite, deployPath(ns), deployment(ns, 'web'));
  await createObject(kite, `/api/v1/namespaces/${ns}/services`, service(ns, 'web'));
  return ns;
}
