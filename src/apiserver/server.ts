// The Kite API server: HTTPS, authentication (client certificates, service account tokens), the
// node identity endpoints, and the REST, discovery, OpenAPI and health endpoints over a storage Backend.
import { createServer, type Server } from 'node:https';
import { createServer as createPlainServer, type IncomingMessage, type Server as PlainServer, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { Backend } from '../storage/backend.js';
import { startCompactor } from '../storage/compactor.js';
import { realClock, type Clock } from '../apimachinery/clock.js';
import { silentLogger, type Logger } from '../apimachinery/log.js';
import { StatusError } from '../apimachinery/status.js';
import type { ResourceType } from '../api/types.js';
import { allResources } from '../api/registry.js';
import { RequestAuthenticator, ServiceAccountTokens, type ServerIdentityOptions } from './authn/index.js';
import { serveNodeIdentity, type NodeIdentityOptions } from './handlers/node-credentials.js';
import { parseRequestInfo } from './request-info.js';
import { parseRequestURL } from './request-url.js';
import { Registry } from './registry/registry.js';
import { defaultStrategies } from './registry/strategies/index.js';
import { routeResource } from './handlers/route.js';
import { writeObject, writeStatus, writeText } from './response.js';
import { versionInfo } from './version.js';
import { serveDiscovery } from './discovery-routes.js';
import { OpenAPIDocuments } from './openapi.js';
import { bootstrapCluster } from './bootstrap.js';
import { createAdmission } from './admission/create.js';
import type { UserInfo } from './registry/strategy.js';
import { socketPair } from './inprocess.js';
import { closeDirect, directHandler, type DirectHandler } from './direct.js';
import { serveCustomResourceDefinitions, type CustomResourceController } from './crd/index.js';
import { acceptUpgrades, configureKubeletClient, type KubeletClientConfig } from './streaming/index.js';

export interface ApiServerOptions {
  backend: Backend;
  bindAddress: string;
  /** 0 picks a free port. */
  port: number;
  tls: { cert: string; key: string; clientCA: string };
  logger?: Logger;
  clock?: Clock;
  /** Served resources; defaults to every built-in resource. */
  resources?: ResourceType[];
  /** Storage compaction: how often, and how many revisions of history to keep for watches. */
  compaction?: { intervalMs?: number; retainRevisions?: number };
  /** How the streaming subresources (logs, exec, attach, port-forward) reach the kubelets. */
  kubeletClient?: KubeletClientConfig;
  /** Node credentials and service account tokens (see ServerIdentityOptions). */
  identity?: ServerIdentityOptions;
  /** The cluster DNS address, reserved by the kube-system/kube-dns Service (default 10.43.0.10); false: none. */
  clusterDNS?: string | false;
  /** The range ClusterIPs are allocated from (default 10.43.0.0/16); its first address is the `kubernetes` Service's. */
  serviceCIDR?: string;
}

export class ApiServer {
  readonly registry: Registry;
  readonly ready: Promise<void>;
  /** Resolves once the server has stopped after its signal aborted. */
  stopped: Promise<void> = Promise.resolve();
  private markReady!: () => void;
  private isReady = false;
  private server?: Server;
  /** Serves in-process connections; it never listens on a port. */
  private readonly local: PlainServer = createPlainServer({ requestTimeout: 0 }, (req, res) => { void this.handle(req, res); });
  /** Cuts off each unfinished direct exchange (see directHandler). */
  private readonly direct = new Set<() => void>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly openapi: OpenAPIDocuments;
  private readonly authn: RequestAuthenticator;
  private readonly nodeIdentity?: NodeIdentityOptions;
  readonly serviceAccountTokens: ServiceAccountTokens;
  /** Serves the established CustomResourceDefinitions. */
  readonly customResources: CustomResourceController;

  constructor(private readonly opts: ApiServerOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? silentLogger).with({ component: 'apiserver' });
    this.registry = new Registry(opts.resources ?? allResources(), opts.backend, defaultStrategies({ serviceCIDR: opts.serviceCIDR }));
    this.customResources = serveCustomResourceDefinitions(this.registry, this.clock, this.log);
    const admission = createAdmission(this.registry);
    for (const store of this.registry.all()) store.admission = admission;
    this.openapi = new OpenAPIDocuments(this.registry);
    configureKubeletClient(this.registry, opts.kubeletClient ?? opts.identity?.kubeletClient);
    const identity = opts.identity ?? {};
    this.serviceAccountTokens = new ServiceAccountTokens({ ...identity.serviceAccount, clock: this.clock });
    this.authn = new RequestAuthenticator(this.registry, this.serviceAccountTokens, this.clock);
    if (identity.ca) this.nodeIdentity = { ca: { caCert: identity.ca.cert, caKey: identity.ca.key }, nodeToken: identity.nodeToken };
    this.ready = new Promise((resolve) => { this.markReady = resolve; });
  }

  /** Listens, prepares the built-in namespaces, and resolves when the server is ready. */
  async start(signal: AbortSignal): Promise<void> {
    const server = createServer({
      cert: this.opts.tls.cert,
      key: this.opts.tls.key,
      ca: this.opts.tls.clientCA,
      requestCert: true,
      rejectUnauthorized: false,
      // Watches stay open for up to an hour; the server enforces their timeouts itself.
      requestTimeout: 0,
      keepAliveTimeout: 65_000,
    }, (req, res) => { void this.handle(req, res); });
    this.server = server;
    acceptUpgrades(server, (req, res) => this.handle(req, res), signal);
    acceptUpgrades(this.local, (req, res) => this.handle(req, res), signal);
    server.on('tlsClientError', () => { /* a client that fails the handshake is its own problem */ });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.bindAddress, () => { server.off('error', reject); resolve(); });
    });
    this.stopped = new Promise((resolve) => {
      const stop = () => {
        server.close(() => resolve());
        server.closeAllConnections();
        this.local.closeAllConnections();
        closeDirect(this.direct);
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    });
    startCompactor(this.opts.backend, { ...this.opts.compaction, clock: this.clock, signal, logger: this.opts.logger });
    await bootstrapCluster(this.registry, this.clock, this.address().port, this.opts.clusterDNS, this.opts.serviceCIDR);
    await this.customResources.start(signal);
    this.isReady = true;
    this.markReady();
  }

  /**
   * A connection to this server from inside the process, as `user`: the client end of an
   * in-memory socket whose requests reach the same handler as HTTPS ones.
   */
  connectInProcess(user: UserInfo): Duplex {
    const [client, server] = socketPair();
    this.authn.bindConnection(server, user);
    this.local.emit('connection', server);
    return client;
  }

  /**
   * Requests from inside the process as `user`, handed to the same handler without a socket or
   * HTTP framing (see direct.ts); upgrades (exec, attach, port-forward) need connectInProcess.
   */
  directHandler(user: UserInfo): DirectHandler {
    const connection = {};
    this.authn.bindConnection(connection, user);
    return directHandler((req, res) => this.handle(req, res), connection, this.direct);
  }

  address(): { address: string; port: number } {
    const a = this.server?.address() as AddressInfo | null;
    return { address: a?.address ?? this.opts.bindAddress, port: a?.port ?? this.opts.port };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = parseRequestURL(req.url ?? '/');
      const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
      if (await serveNodeIdentity(req, res, path, this.nodeIdentity?.ca.caCert ?? this.opts.tls.clientCA, this.nodeIdentity)) return;
      const user = await this.authn.authenticate(req);
      if (await this.serveNonResource(req, res, path, url.searchParams)) return;
      const info = parseRequestInfo(req.method ?? 'GET', path, url.searchParams);
      if (!info.isResource) {
        if (serveDiscovery(this.registry, req, res, info, this.address())) return;
        throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      }
      const store = this.registry.lookup(info.group, info.version, info.resource!);
      if (!store) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      await routeResource({ req, res, info, query: url.searchParams, store, registry: this.registry, user, clock: this.clock, warnings: [], serviceAccountTokens: this.serviceAccountTokens });
    } catch (e) {
      if (!(e instanceof StatusError)) this.log.error('request failed', { method: req.method, url: req.url, error: String((e as Error)?.stack ?? e) });
      if (res.headersSent) res.end();
      else writeStatus(res, e);
    }
  }

  private async serveNonResource(req: IncomingMessage, res: ServerResponse, path: string, q: URLSearchParams): Promise<boolean> {
    switch (path) {
      case '/version':
        writeObject(res, 200, versionInfo());
        return true;
      case '/healthz':
      case '/livez':
        writeText(res, 200, 'ok');
        return true;
      case '/readyz':
        if (this.isReady) writeText(res, 200, 'ok');
        else writeText(res, 503, '[-]startup not finished\nreadyz check failed');
        return true;
    }
    if (path === '/openapi/v3' || path.startsWith('/openapi/v3/')) {
      this.openapi.serve(req, res, path, q);
      return true;
    }
    return false;
  }
}
