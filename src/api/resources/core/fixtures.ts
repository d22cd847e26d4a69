// Builders for the core kinds in tests: `makePod('web').container({ image: 'nginx:1.25' }).build()`.
import type {
  Container, ContainerStatus, Node, Pod, PodCondition, Service, ServicePort,
} from 'kubernetes-types/core/v1.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const m = <T>(o: T): Mutable<T> => o as Mutable<T>;

export const T0 = Date.parse('2024-01-01T00:00:00Z');
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class PodBuilder {
  readonly pod: Pod;
  constructor(name: string) {
    this.pod = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, namespace: 'default', creationTimestamp: iso(T0) },
      spec: { containers: [] },
    };
  }
  container(c: Partial<Container> = {}): this {
    const n = this.pod.spec!.containers.length;
    this.pod.spec!.containers.push({ name: `c${n}`, image: 'nginx:1.25', ...c });
    return this;
  }
  initContainer(c: Partial<Container> = {}): this {
    const list = (this.pod.spec!.initContainers ??= []);
    list.push({ name: `init${list.length}`, image: 'busybox:1.36', ...c });
    return this;
  }
  spec(patch: Partial<NonNullable<Pod['spec']>>): this {
    Object.assign(this.pod.spec!, patch);
    return this;
  }
  phase(phase: string): this {
    (m(this.pod).status ??= {}).phase = phase;
    return this;
  }
  status(s: Partial<ContainerStatus> & { state?: ContainerStatus['state'] }): this {
    const st = (m(this.pod).status ??= {});
    const list = (st.containerStatuses ??= []);
    list.push({ name: `c${list.length}`, image: 'nginx:1.25', imageID: '', ready: false, restartCount: 0, ...s });
    return this;
  }
  initStatus(s: Partial<ContainerStatus>): this {
    const st = (m(this.pod).status ??= {});
    const list = (st.initContainerStatuses ??= []);
    list.push({ name: `init${list.length}`, image: 'busybox:1.36', imageID: '', ready: false, restartCount: 0, ...s });
    return this;
  }
  condition(type: string, status: string, reason?: string): this {
    const st = (m(this.pod).status ??= {});
    const c: PodCondition = { type, status };
    if (reason) c.reason = reason;
    (st.conditions ??= []).push(c);
    return this;
  }
  deleting(at = T0 + 60_000): this {
    m(this.pod.metadata!).deletionTimestamp = iso(at);
    return this;
  }
  build(): Pod {
    return structuredClone(this.pod);
  }
}

export const makePod = (name = 'web'): PodBuilder => new PodBuilder(name);

export function makeService(name: string, spec: Partial<NonNullable<Service['spec']>> = {}, ports: ServicePort[] = [{ port: 80 }]): Service {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: 'default', creationTimestamp: iso(T0) },
    spec: { ports, selector: { app: name }, ...spec },
  };
}

export function makeNode(name: string, opts: { ready?: boolean | 'Unknown'; unschedulable?: boolean; labels?: Record<string, string> } = {}): Node {
  const node: Node = {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, creationTimestamp: iso(T0), labels: opts.labels ?? {} },
    spec: opts.unschedulable ? { unschedulable: true } : {},
    status: {
      nodeInfo: {
        architecture: 'amd64', bootID: '', containerRuntimeVersion: 'containerd://1.7.0', kernelVersion: '6.1.0',
        kubeProxyVersion: '', kubeletVersion: 'v1.32.0', machineID: '', operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12 (bookworm)', systemUUID: '',
      },
      addresses: [{ type: 'InternalIP', address: '10.0.0.2' }, { type: 'Hostname', address: name }],
    },
  };
  if (opts.ready !== undefined) {
    const status = opts.ready === 'Unknown' ? 'Unknown' : opts.ready ? 'True' : 'False';
    m(node.status!).conditions = [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status }];
  }
  return node;
}
