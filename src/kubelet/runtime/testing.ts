// An in-memory CRI for the kubelet's unit tests: sandboxes get an IP, containers run until stopped
// or until the test's `behaviour` makes them exit, images are present or pullable by name. Every
// call is recorded so tests can count creations and stops.
import { join } from 'node:path';
import type { Clock } from '../../apimachinery/clock.js';
import { CriCode, CriError } from '../cri/client.js';
import type {
  Container, ContainerConfig, ContainerState, ContainerStatus, Image, ImageService, Input, PodSandbox, PodSandboxConfig, RuntimeService,
} from '../cri/types.js';

export interface FakeContainer {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
}

export interface FakeSandbox {
  id: string;
  config: PodSandboxConfig;
  ready: boolean;
  createdAt: number;
  ip: string;
}

/** What a started container does: exit at once with a code, or keep running (undefined). */
export type Behaviour = (c: FakeContainer) => { exitCode: number } | undefined;

const gone = (what: string) => new CriError('fake', CriCode.NotFound, `${what} not found`);

export class FakeCri {
  readonly sandboxes = new Map<string, FakeSandbox>();
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Map<string, Image>();
  /** Names a PullImage succeeds for. */
  readonly pullable = new Set<string>();
  readonly calls: { method: string; req: unknown }[] = [];
  behaviour: Behaviour = () => undefined;
  private seq = 0;

  constructor(private readonly clock: Clock) {}

  addImage(name: string, uid?: number): void {
    this.images.set(name, { id: `sha256:${name.replace(/\W/g, '')}`, repoTags: [name], repoDigests: [], size: 1000, uid: uid === undefined ? null : { value: uid }, username: '', spec: null, pinned: false });
  }

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  /** Makes a running container exit now (as if its process ended). */
  exit(id: string, exitCode: number): void {
    const c = this.containers.get(id);
    if (!c || c.state !== 'CONTAINER_RUNNING') return;
    Object.assign(c, { state: 'CONTAINER_EXITED', exitCode, finishedAt: this.ns(), reason: exitCode === 0 ? 'Completed' : 'Error' });
  }

  private ns(): number {
    return this.clock.now() * 1e6 + ++this.seq;
  }

  private rec(method: string, req: unknown): void {
    this.calls.push({ method, req });
  }

  private matches(labels: Record<string, string>, selector: Record<string, string> | undefined): boolean {
    return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
  }

  private status(c: FakeContainer): ContainerStatus {
    const cfg = c.config;
    return {
      id: c.id, metadata: cfg.metadata, state: c.state, createdAt: c.createdAt, startedAt: c.startedAt, finishedAt: c.finishedAt,
      exitCode: c.exitCode, image: cfg.image, imageRef: cfg.image?.image ?? '', reason: c.reason, message: '',
      labels: cfg.labels, annotations: cfg.annotations, mounts: cfg.mounts, logPath: this.logPath(c), resources: null, imageId: '', user: null, imageSource: '',
    };
  }

  /** As containerd reports it: the sandbox's log directory joined with the container's log path. */
  private logPath(c: FakeContainer): string {
    const dir = this.sandboxes.get(c.sandboxId)?.config.logDirectory ?? '';
    return dir && c.config.logPath ? join(dir, c.config.logPath) : c.config.logPath ?? '';
  }

  private listed(c: FakeContainer): Container {
    const cfg = c.config;
    return { id: c.id, podSandboxId: c.sandboxId, metadata: cfg.metadata, image: cfg.image, imageRef: cfg.image?.image ?? '', state: c.state, createdAt: c.createdAt, labels: cfg.labels, annotations: cfg.annotations, imageId: '' };
  }

  private sandboxItem(s: FakeSandbox): PodSandbox {
    return { id: s.id, metadata: s.config.metadata, state: s.ready ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY', createdAt: s.createdAt, labels: s.config.labels, annotations: s.config.annotations, runtimeHandler: '' };
  }

  private stop(c: FakeContainer): void {
    if (c.state === 'CONTAINER_RUNNING') Object.assign(c, { state: 'CONTAINER_EXITED', exitCode: 137, reason: 'Error', finishedAt: this.ns() });
    else if (c.state === 'CONTAINER_CREATED') Object.assign(c, { state: 'CONTAINER_EXITED', exitCode: 0, finishedAt: this.ns() });
  }

  /* eslint-disable @typescript-eslint/no-explicit-any */
  runtime(): RuntimeService {
    const unimplemented = async () => { throw new CriError('fake', CriCode.Unimplemented, 'not implemented'); };
    const svc: Record<string, (req?: any) => Promise<unknown>> = {
      version: async () => ({ version: '0.1.0', runtimeName: 'fake', runtimeVersion: '1.0', runtimeApiVersion: 'v1' }),
      status: async () => ({ status: { conditions: [{ type: 'RuntimeReady', status: true, reason: '', message: '' }, { type: 'NetworkReady', status: true, reason: '', message: '' }] }, info: {} }),
      runPodSandbox: async (req: Input<{ config: PodSandboxConfig }>) => {
        this.rec('runPodSandbox', req);
        const id = `sb${++this.seq}`;
        this.sandboxes.set(id, { id, config: req.config as PodSandboxConfig, ready: true, createdAt: this.ns(), ip: `10.42.0.${this.sandboxes.size + 2}` });
        return { podSandboxId: id };
      },
      stopPodSandbox: async (req) => {
        this.rec('stopPodSandbox', req);
        const s = this.sandboxes.get(req.podSandboxId);
        if (!s) throw gone('sandbox');
        s.ready = false;
        for (const c of this.containers.values()) if (c.sandboxId === s.id) this.stop(c);
        return {};
      },
      removePodSandbox: async (req) => {
        this.rec('removePodSandbox', req);
        for (const c of [...this.containers.values()]) if (c.sandboxId === req.podSandboxId) this.containers.delete(c.id);
        this.sandboxes.delete(req.podSandboxId);
        return {};
      },
      podSandboxStatus: async (req) => {
        const s = this.sandboxes.get(req.podSandboxId);
        if (!s) throw gone('sandbox');
        return {
          status: { ...this.sandboxItem(s), network: s.ready ? { ip: s.ip, additionalIps: [] } : null, linux: { namespaces: { options: { network: s.config.linux?.securityContext?.namespaceOptions?.network ?? 'POD' } } } },
          info: {}, containersStatuses: [], timestamp: this.ns(),
        };
      },
      listPodSandbox: async (req) => ({
        items: [...this.sandboxes.values()].map((s) => this.sandboxItem(s)).filter((s) => this.matches(s.labels, req?.filter?.labelSelector)),
      }),
      createContainer: async (req) => {
        this.rec('createContainer', req);
        const sb = this.sandboxes.get(req.podSandboxId);
        if (!sb?.ready) throw new CriError('fake', CriCode.Unknown, 'sandbox is not ready');
        const image = req.config?.image?.image ?? '';
        if (![...this.images.values()].some((i) => i.id === image || i.repoTags.includes(image))) throw new CriError('fake', CriCode.NotFound, `image ${image} not found`);
        const id = `c${++this.seq}`;
        this.containers.set(id, { id, sandboxId: sb.id, config: req.config, state: 'CONTAINER_CREATED', createdAt: this.ns(), startedAt: 0, finishedAt: 0, exitCode: 0, reason: '' });
        return { containerId: id };
      },
      startContainer: async (req) => {
        this.rec('startContainer', req);
        const c = this.containers.get(req.containerId);
        if (!c) throw gone('container');
        Object.assign(c, { state: 'CONTAINER_RUNNING', startedAt: this.ns() });
        const b = this.behaviour(c);
        if (b) this.exit(c.id, b.exitCode);
        return {};
      },
      stopContainer: async (req) => {
        this.rec('stopContainer', req);
        const c = this.containers.get(req.containerId);
        if (!c) throw gone('container');
        this.stop(c);
        return {};
      },
      removeContainer: async (req) => {
        this.rec('removeContainer', req);
        this.containers.delete(req.containerId);
        return {};
      },
      listContainers: async (req) => ({
        containers: [...this.containers.values()].map((c) => this.listed(c)).filter((c) => this.matches(c.labels, req?.filter?.labelSelector)
          && (!req?.filter?.podSandboxId || c.podSandboxId === req.filter.podSandboxId)),
      }),
      containerStatus: async (req) => {
        const c = this.containers.get(req.containerId);
        if (!c) throw gone('container');
        return { status: this.status(c), info: {} };
      },
      exec: async (req) => ({ url: `http://127.0.0.1:1/exec/${req.containerId}` }),
      attach: async (req) => ({ url: `http://127.0.0.1:1/attach/${req.containerId}` }),
      portForward: async (req) => ({ url: `http://127.0.0.1:1/portforward/${req.podSandboxId}` }),
    };
    for (const m of ['updateContainerResources', 'reopenContainerLog', 'execSync', 'containerStats', 'listContainerStats', 'updateRuntimeConfig']) svc[m] = unimplemented;
    return svc as unknown as RuntimeService;
  }

  imageService(): ImageService {
    const find = (name: string) => [...this.images.values()].find((i) => i.id === name || i.repoTags.includes(name));
    const svc: Record<string, (req?: any) => Promise<unknown>> = {
      listImages: async () => ({ images: [...this.images.values()] }),
      imageStatus: async (req) => ({ image: find(req.image?.image ?? '') ?? null, info: {} }),
      pullImage: async (req) => {
        this.rec('pullImage', req);
        const name = req.image?.image ?? '';
        if (!this.pullable.has(name)) throw new CriError('fake', CriCode.Unknown, `failed to resolve reference "${name}": not found`);
        if (!find(name)) this.addImage(name);
        return { imageRef: find(name)!.id };
      },
      removeImage: async () => ({}),
      imageFsInfo: async () => ({ imageFilesystems: [], containerFilesystems: [] }),
    };
    return svc as unknown as ImageService;
  }

  services(): { runtime: RuntimeService; images: ImageService } {
    return { runtime: this.runtime(), images: this.imageService() };
  }
}
