// Builders for the workload kinds in tests: `makeDeployment('web').replicas(3).build()`.
import type { KubeObject } from '../../../apimachinery/object.js';
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';

export const T0 = Date.parse('2024-01-01T00:00:00Z');
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function podTemplate(labels: Record<string, string> = { app: 'web' }, image = 'nginx:1.25'): PodTemplateSpec {
  return { metadata: { labels: { ...labels } }, spec: { containers: [{ name: 'web', image }] } };
}

type Workload = Deployment | ReplicaSet | StatefulSet | DaemonSet;

export class WorkloadBuilder<T extends Workload> {
  constructor(readonly obj: T) {}
  private get spec(): Record<string, unknown> {
    return this.obj.spec as unknown as Record<string, unknown>;
  }
  replicas(n: number): this {
    this.spec.replicas = n;
    return this;
  }
  selector(matchLabels: Record<string, string> | undefined): this {
    this.spec.selector = matchLabels === undefined ? undefined : { matchLabels };
    return this;
  }
  templateLabels(labels: Record<string, string>): this {
    (this.spec.template as PodTemplateSpec).metadata = { labels };
    return this;
  }
  set(patch: Record<string, unknown>): this {
    Object.assign(this.spec, patch);
    return this;
  }
  status(s: Record<string, unknown>): this {
    (this.obj as unknown as Record<string, unknown>).status = s;
    return this;
  }
  build(): T {
    return structuredClone(this.obj);
  }
}

function workload<T extends Workload>(kind: string, name: string): WorkloadBuilder<T> {
  return new WorkloadBuilder({
    apiVersion: 'apps/v1', kind,
    metadata: { name, namespace: 'default', creationTimestamp: iso(T0) },
    spec: { selector: { matchLabels: { app: name } }, template: podTemplate({ app: name }) },
  } as unknown as T);
}

export const makeDeployment = (name: string) => workload<Deployment>('Deployment', name);
export const makeReplicaSet = (name: string) => workload<ReplicaSet>('ReplicaSet', name);
export const makeStatefulSet = (name: string) => workload<StatefulSet>('StatefulSet', name);
export const makeDaemonSet = (name: string) => workload<DaemonSet>('DaemonSet', name);

/** Typed objects as the untyped `ResourceType` entries take them. */
export const kube = <T>(o: T): KubeObject => o as unknown as KubeObject;
