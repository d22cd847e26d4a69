// A CRI v1 client over gRPC on a unix socket: the runtime and image services with promise-returning
// methods, a deadline on every call, and errors that carry the gRPC status code.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  CRI_LOADER_OPTIONS,
  IMAGE_METHODS,
  RUNTIME_METHODS,
  type CallOptions,
  type ImageService,
  type RuntimeService,
} from './types.js';

/** gRPC status codes the kubelet tells apart. */
export const CriCode = {
  OK: 0,
  Cancelled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  FailedPrecondition: 9,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
} as const;

/** A failed CRI call: `code` is the gRPC status code, `method` the RPC's name. */
export class CriError extends Error {
  override readonly name = 'CriError';
  constructor(
    readonly method: string,
    readonly code: number,
    readonly details: string,
  ) {
    super(`CRI ${method}: ${grpc.status[code] ?? code}: ${details}`);
  }
}

export function isCriError(err: unknown, code?: number): err is CriError {
  return err instanceof CriError && (code === undefined || err.code === code);
}

export function isNotFound(err: unknown): boolean {
  return isCriError(err, CriCode.NotFound);
}

export interface CriClientOptions {
  /** Deadline of a call without its own `timeoutMs`; 2 minutes, as image pulls and stops can be slow. */
  defaultTimeoutMs?: number;
  /** Queue calls while the runtime is not (yet) reachable instead of failing them at once. */
  waitForReady?: boolean;
}

export interface CriClient {
  runtime: RuntimeService;
  images: ImageService;
  endpoint: string;
  /** Resolves once the channel is connected; rejects after `timeoutMs`. */
  waitForReady(timeoutMs: number): Promise<void>;
  close(): void;
}

/** Where api.proto is: beside this module (src under tsx, dist after the build copies it). */
export function criProtoPath(): string {
  const candidates = [
    new URL('./api.proto', import.meta.url),
    // dist/src/kubelet/cri → src/kubelet/cri, when the build did not copy the assets
    new URL('../../../../src/kubelet/cri/api.proto', import.meta.url),
  ];
  for (const c of candidates) {
    const p = fileURLToPath(c);
    if (existsSync(p)) return p;
  }
  throw new Error(`CRI definitions not found (looked for ${candidates.map((c) => fileURLToPath(c)).join(', ')})`);
}

type ServiceCtor = new (address: string, creds: grpc.ChannelCredentials, options?: grpc.ClientOptions) => grpc.Client;
let services: { runtime: ServiceCtor; image: ServiceCtor } | undefined;

function loadServices(): { runtime: ServiceCtor; image: ServiceCtor } {
  if (!services) {
    const def = protoLoader.loadSync(criProtoPath(), { ...CRI_LOADER_OPTIONS });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      runtime: { v1: { RuntimeService: ServiceCtor; ImageService: ServiceCtor } };
    };
    services = { runtime: pkg.runtime.v1.RuntimeService, image: pkg.runtime.v1.ImageService };
  }
  return services;
}

/** `unix:///run/x.sock`, or a bare absolute path taken as a unix socket. */
export function grpcTarget(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return endpoint;
  if (endpoint.startsWith('/')) return `unix://${endpoint}`;
  return endpoint;
}

type UnaryFn = (
  req: unknown,
  meta: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: unknown) => void,
) => grpc.ClientUnaryCall;

function bindMethods<T>(client: grpc.Client, methods: readonly string[], opts: Required<CriClientOptions>): T {
  const out: Record<string, unknown> = {};
  for (const method of methods) {
    const fn = (client as unknown as Record<string, UnaryFn>)[method]!.bind(client);
    out[method[0]!.toLowerCase() + method.slice(1)] = (req: unknown = {}, call: CallOptions = {}) =>
      new Promise((resolve, reject) => {
        if (call.signal?.aborted) {
          reject(new CriError(method, CriCode.Cancelled, 'aborted before the call'));
          return;
        }
        const deadline = Date.now() + (call.timeoutMs ?? opts.defaultTimeoutMs);
        const onAbort = () => handle.cancel();
        const meta = new grpc.Metadata({ waitForReady: opts.waitForReady });
        const handle = fn(req ?? {}, meta, { deadline }, (err, res) => {
          call.signal?.removeEventListener('abort', onAbort);
          if (err) reject(new CriError(method, err.code ?? CriCode.Unknown, err.details || err.message));
          else resolve(res);
        });
        call.signal?.addEventListener('abort', onAbort, { once: true });
      });
  }
  return out as T;
}

export function connectCri(endpoint: string, options: CriClientOptions = {}): CriClient {
  const opts: Required<CriClientOptions> = {
    defaultTimeoutMs: options.defaultTimeoutMs ?? 120_000,
    waitForReady: options.waitForReady ?? false,
  };
  const { runtime: Runtime, image: Image } = loadServices();
  const target = grpcTarget(endpoint);
  const channelOptions: grpc.ClientOptions = {
    // ExecSync output may reach 16 MiB per stream.
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 16 * 1024 * 1024,
  };
  const runtimeClient = new Runtime(target, grpc.credentials.createInsecure(), channelOptions);
  // Both services share one channel (one connection to the socket).
  const imageClient = new Image(target, grpc.credentials.createInsecure(), {
    ...channelOptions,
    channelOverride: runtimeClient.getChannel(),
  });
  return {
    endpoint: target,
    runtime: bindMethods<RuntimeService>(runtimeClient, RUNTIME_METHODS, opts),
    images: bindMethods<ImageService>(imageClient, IMAGE_METHODS, opts),
    waitForReady: (timeoutMs) =>
      new Promise((resolve, reject) => {
        runtimeClient.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(err) : resolve()));
      }),
    close: () => {
      imageClient.close();
      runtimeClient.close();
    },
  };
}
