// Typed and dynamic access to any served resource over a Transport.
import type { KubeObject, WatchEvent } from '../apimachinery/object.js';
import type { ResourceType } from '../api/types.js';
import { allResources } from '../api/registry.js';
import { errorFromResponse } from './errors.js';
import type { Transport, TransportStream } from './transport.js';

/** What a client needs to address a resource. */
export type ResourceRef = Pick<ResourceType, 'group' | 'version' | 'kind' | 'plural' | 'namespaced'>;

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
}

export interface List<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const patchContentTypes: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface WriteOptions { dryRun?: boolean; fieldManager?: string; force?: boolean }

/** An open watch: events in order until the server ends the stream or `close` is called. */
export interface WatchStream<T> extends AsyncIterable<WatchEvent<T>> {
  close(): void;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export class ResourceClient<T extends KubeObject = KubeObject> {
  constructor(private readonly transport: Transport, readonly ref: ResourceRef) {}

  path(namespace?: string, name?: string, subresource?: string): string {
    const { group, version, plural, namespaced } = this.ref;
    let p = group ? `/apis/${group}/${version}` : `/api/${version}`;
    if (namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${plural}`;
    if (name !== undefined) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  private async call<R>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<R> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await this.transport.request(method, path, {
      body: payload,
      headers: { Accept: 'application/json', ...(payload !== undefined ? { 'Content-Type': contentType } : {}) },
    });
    if (res.status < 200 || res.status >= 300) throw errorFromResponse(res, `${method} ${path}`);
    return JSON.parse(res.body.toString('utf8')) as R;
  }

  get(namespace: string | undefined, name: string): Promise<T> {
    return this.call('GET', this.path(namespace, name));
  }

  list(namespace?: string, opts: ListOptions = {}): Promise<List<T>> {
    return this.call('GET', this.path(namespace) + query({ ...opts }));
  }

  create(namespace: string | undefined, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.call('POST', this.path(namespace) + query({ dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager }), obj);
  }

  update(namespace: string | undefined, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.call('PUT', this.path(namespace, obj.metadata?.name) + query({ fieldManager: opts.fieldManager }), obj);
  }

  updateStatus(namespace: string | undefined, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.call('PUT', this.path(namespace, obj.metadata?.name, 'status') + query({ fieldManager: opts.fieldManager }), obj);
  }

  patch(namespace: string | undefined, name: string, patch: unknown, type: PatchType, opts: WriteOptions & { subresource?: string } = {}): Promise<T> {
    const q = query({ fieldManager: opts.fieldManager, force: opts.force, dryRun: opts.dryRun ? 'All' : undefined });
    return this.call('PATCH', this.path(namespace, name, opts.subresource) + q, patch, patchContentTypes[type]);
  }

  /** Writes a subresource (binding, eviction, finalize, scale) and returns the server's answer. */
  subresource<R = unknown>(method: 'POST' | 'PUT', namespace: string | undefined, name: string, sub: string, body: unknown): Promise<R> {
    return this.call(method, this.path(namespace, name, sub), body);
  }

  async delete(namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<void> {
    await this.call('DELETE', this.path(namespace, name), { apiVersion: 'v1', kind: 'DeleteOptions', ...opts });
  }

  async watch(namespace: string | undefined, opts: WatchOptions = {}): Promise<WatchStream<T>> {
    const path = this.path(namespace) + query({ watch: 'true', ...opts });
    const stream: TransportStream = await this.transport.stream(path, { headers: { Accept: 'application/json' } });
    if (stream.status !== 200) {
      const chunks: string[] = [];
      for await (const line of stream.lines) chunks.push(line);
      throw errorFromResponse({ status: stream.status, headers: stream.headers, body: Buffer.from(chunks.join('\n')) }, `watch ${path}`);
    }
    return {
      close: () => stream.close(),
      async *[Symbol.asyncIterator]() {
        for await (const line of stream.lines) yield JSON.parse(line) as WatchEvent<T>;
      },
    };
  }
}

const byKind = new Map<string, ResourceType>();

/** The resource serving `kind` in `apiVersion` among the built-in resources. */
export function resourceForKind(apiVersion: string, kind: string): ResourceRef {
  if (byKind.size === 0) for (const rt of allResources()) byKind.set(`${rt.group ? `${rt.group}/` : ''}${rt.version}/${rt.kind}`, rt);
  const rt = byKind.get(`${apiVersion}/${kind}`);
  if (!rt) throw new Error(`no built-in resource serves ${kind} in ${apiVersion}`);
  return rt;
}

export class ApiClient {
  constructor(readonly transport: Transport) {}

  resource<T extends KubeObject = KubeObject>(ref: ResourceRef): ResourceClient<T> {
    return new ResourceClient<T>(this.transport, ref);
  }

  /** `client.kind('apps/v1', 'Deployment')`. */
  kind<T extends KubeObject = KubeObject>(apiVersion: string, kind: string): ResourceClient<T> {
    return this.resource<T>(resourceForKind(apiVersion, kind));
  }

  close(): void {
    this.transport.close();
  }
}
