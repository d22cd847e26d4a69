// `kite server`: storage, certificates and the API server in one process, ready as fast as the
// slowest of them (they start side by side), stopped in reverse order when `signal` aborts.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../apimachinery/log.js';
import type { ControllerOptions } from '../client/controller.js';
import type { Transport } from '../client/transport.js';
import { ensureNodeToken, ensureServerPKI, writeKubeconfig, type ServerPKI } from '../apiserver/pki/index.js';
import type { SchedulerProfile } from '../scheduler/framework/profile.js';
import type { Backend } from '../storage/backend.js';
import type { AgentComponents, NodeFlags } from './agent.js';
import { defaultComponents, type ApiServerInstance, type ServerComponents } from './components.js';
import { localClientAddress, urlHost, type Datastore, type ServerFlags } from './flags.js';
import { ServiceIPRange } from '../apiserver/registry/strategies/service-allocator.js';


export interface ServerContext {
  signal: AbortSignal;
  logger: Logger;
  /** Names and addresses of this machine for the serving certificate. */
  hostnames: string[];
  ips: string[];
  components?: ServerComponents;
  /** Run without the controllers (`--disable-controllers`). */
  disableControllers?: boolean;
  /** Tunables for the in-process controllers (defaults: Kubernetes'). */
  controllerOptions?: Partial<ControllerOptions>;
  /** Also run this many simulated nodes in-process (`--simulate-nodes`). */
  simulateNodes?: number;
  /** Run without the scheduler (`--disable-scheduler`). */
  disableScheduler?: boolean;
  /** The scheduler's profiles (`--scheduler-config`); default: the default profile. */
  schedulerProfiles?: SchedulerProfile[];
  /** This machine's node, for the in-process agent (default: named after the first host name). */
  node?: NodeFlags;
  /** What the in-process agent runs (default: the real kubelet and host checks). */
  agentComponents?: AgentComponents;
  /** The ClusterIP range (`--service-cidr`, default 10.43.0.0/16). */
  serviceCIDR?: string;
  /** The cluster DNS address kube-dns reserves (default: the node's, else the range's tenth address). */
  clusterDNS?: string;
}

export function serverPaths(dataDir: string) {
  return {
    tls: join(dataDir, 'server', 'tls'),
    kubeconfig: join(dataDir, 'kubeconfig.yaml'),
    /** The join token agents use to obtain their node credentials (0600). */
    nodeToken: join(dataDir, 'server', 'node-token'),
  };
}

function describeDatastore(ds: Datastore): string {
  return ds.driver === 'sqlite' ? `sqlite at ${ds.path}` : `etcd at ${ds.endpoints.join(',')}`;
}

async function startBackend(flags: ServerFlags, components: ServerComponents, logger: Logger): Promise<Backend> {
  if (flags.datastore.driver === 'sqlite') await mkdir(dirname(flags.datastore.path), { recursive: true, mode: 0o700 });
  const backend = await components.createBackend(flags.datastore, logger);
  await backend.start();
  return backend;
}

/** Runs the server until `ctx.signal` aborts; resolves with the process exit code. */
export async function runServer(flags: ServerFlags, ctx: ServerContext): Promise<number> {
  const { logger, signal } = ctx;
  const components = ctx.components ?? defaultComponents;
  const log = (component: string) => logger.with({ component });
  const paths = serverPaths(flags.dataDir);

  await mkdir(flags.dataDir, { recursive: true, mode: 0o700 });
  // In-cluster clients reach the API at the `kubernetes` Service's address.
  const ips = [...ctx.ips, new ServiceIPRange(ctx.serviceCIDR).first(), ...(flags.advertiseAddress ? [flags.advertiseAddress] : [])];
  const startup = Promise.allSettled([
    startBackend(flags, components, log('storage')),
    ensureServerPKI(paths.tls, { hostnames: ctx.hostnames, ips }),
    components.loadApiServer(),
  ]);
  const settled = await settleOrGiveUp(startup, signal);
  if (settled === undefined) {
    // Stopped while storage still waited (e.g. for an unreachable etcd): close it if it ever starts.
    void startup.then(([b]) => b.status === 'fulfilled' ? b.value.close() : undefined).catch(() => undefined);
    logger.info('stopped before storage was ready');
    return 0;
  }
  const [backendResult, pkiResult, apiResult] = settled;
  const backend = backendResult.status === 'fulfilled' ? backendResult.value : undefined;
  const closeBackend = async () => {
    if (!backend) return;
    await backend.close().catch((err: unknown) => log('storage').error(`close failed: ${String(err)}`));
  };
  const failed = [backendResult, pkiResult, apiResult].find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed || !backend || pkiResult.status !== 'fulfilled' || apiResult.status !== 'fulfilled') {
    const which = backendResult.status === 'rejected' ? 'storage' : pkiResult.status === 'rejected' ? 'pki' : 'apiserver';
    log(which).error(`failed to start: ${errorMessage(failed?.reason)}`);
    await closeBackend();
    return 1;
  }
  if (signal.aborted) {
    await closeBackend();
    logger.info('stopped before the API server started');
    return 0;
  }
  const pki = pkiResult.value;
  let nodeToken: string;
  try {
    nodeToken = await ensureNodeToken(paths.nodeToken, pki.caCert);
  } catch (err) {
    log('pki').error(`node token: ${errorMessage(err)}`);
    await closeBackend();
    return 1;
  }
  log('storage').info(`${describeDatastore(flags.datastore)} (revision ${await backend.currentRevision()})`);
  log('pki').info(`certificates in ${paths.tls}`);

  // Written before the server listens, so the file exists by the time /readyz answers.
  const clientHost = urlHost(localClientAddress(flags.bindAddress));
  const writeAdminKubeconfig = (port: number) => writeKubeconfig(paths.kubeconfig, {
    server: `https://${clientHost}:${port}`, caCert: pki.caCert, clientCert: pki.adminCert, clientKey: pki.adminKey,
  });
  if (flags.port !== 0) await writeAdminKubeconfig(flags.port);

  // On abort the controllers stop first, so the leader lease is released while the API still answers.
  const controllers = new AbortController();
  const apiStop = new AbortController();
  let controllersDone: Promise<void> = Promise.resolve();
  const stopInOrder = () => {
    controllers.abort();
    void withinMs(controllersDone, controllerStopGraceMs).then(() => apiStop.abort());
  };
  if (signal.aborted) stopInOrder();
  else signal.addEventListener('abort', stopInOrder, { once: true });

  let server: ApiServerInstance;
  try {
    server = new apiResult.value({
      backend,
      bindAddress: flags.bindAddress,
      port: flags.port,
      tls: tlsFor(pki),
      logger: log('apiserver'),
      identity: identityFor(pki, nodeToken),
      ...(ctx.serviceCIDR ? { serviceCIDR: ctx.serviceCIDR } : {}),
      ...(ctx.clusterDNS ?? ctx.node?.clusterDNS ? { clusterDNS: ctx.clusterDNS ?? ctx.node?.clusterDNS } : {}),
    });
    await server.start(apiStop.signal);
  } catch (err) {
    log('apiserver').error(`failed to start: ${errorMessage(err)}`);
    await closeBackend();
    return 1;
  }
  const { port } = server.address();
  if (flags.port === 0) await writeAdminKubeconfig(port);
  log('apiserver').info(`listening on https://${urlHost(flags.bindAddress)}:${port}`);
  if (flags.disableAgent) log('agent').info('disabled (--disable-agent); running the control plane only');
  log('kubeconfig').info(paths.kubeconfig);
  logger.info(`ready in ${Math.round(performance.now())} ms; to use it: export KUBECONFIG=${paths.kubeconfig}; kubectl get ns`);
  if (ctx.disableControllers) log('controller-manager').info('disabled (--disable-controllers)');
  else if (server.connectInProcess && !controllers.signal.aborted) controllersDone = runInProcessControllers(server, ctx, controllers.signal);
  if (ctx.disableScheduler) log('scheduler').info('disabled (--disable-scheduler)');
  else if (server.connectInProcess && !controllers.signal.aborted) {
    controllersDone = Promise.all([controllersDone, runInProcessScheduler(server, ctx, controllers.signal)]).then(() => undefined);
  }
  // The agent stops with the controllers, while the API still answers; its containers keep running.
  if (!flags.disableAgent && server.connectInProcess && !controllers.signal.aborted) {
    controllersDone = Promise.all([controllersDone, runInProcessNodeAgent(server, ctx, flags, pki, controllers.signal)]).then(() => undefined);
  }
  // Simulated nodes stop with the controllers, while the API still answers.
  if (ctx.simulateNodes && server.connectInProcess && !controllers.signal.aborted) {
    controllersDone = Promise.all([controllersDone, runInProcessSimulator(server, ctx, ctx.simulateNodes, controllers.signal)]).then(() => undefined);
  }

  if (signal.aborted) logger.info('shutting down');
  else signal.addEventListener('abort', () => logger.info('shutting down'), { once: true });
  let code = 0;
  try {
    await server.stopped;
    if (!signal.aborted) {
      log('apiserver').error('stopped unexpectedly');
      code = 1;
    }
  } catch (err) {
    log('apiserver').error(`stopped with an error: ${errorMessage(err)}`);
    code = 1;
  }
  controllers.abort();
  await controllersDone;
  await closeBackend();
  logger.info('stopped');
  return code;
}

/** How long the controllers get to stop (and release their lease) before the API server stops. */
const controllerStopGraceMs = 5000;

/** The controllers, reaching the API server in-process, behind the same leader election as `kite controller-manager`. */
async function runInProcessControllers(server: ApiServerInstance, ctx: ServerContext, signal: AbortSignal): Promise<void> {
  const log = ctx.logger.with({ component: 'controller-manager' });
  try {
    const [{ runControllers, leaderIdentity }, { allControllers }, { ApiClient }, transports] = await Promise.all([
      import('./run-controllers.js'), import('./controllers.js'), import('../client/rest.js'), import('../client/transport.js'),
    ]);
    const client = new ApiClient(localTransport(transports, server, { name: 'system:kube-controller-manager', groups: ['system:masters'] }, 'kite-controller-manager'));
    const host = ctx.hostnames[0] ?? 'kite';
    try {
      await runControllers({
        client, controllers: allControllers(), logger: ctx.logger, signal, host,
        options: ctx.controllerOptions, leaderElection: { identity: leaderIdentity(host) },
      });
    } finally {
      client.close();
    }
  } catch (err) {
    log.error(`failed: ${errorMessage(err)}`);
  }
}

/** The scheduler, reaching the API server in-process, behind the same lease as `kite scheduler`. */
async function runInProcessScheduler(server: ApiServerInstance, ctx: ServerContext, signal: AbortSignal): Promise<void> {
  const log = ctx.logger.with({ component: 'scheduler' });
  try {
    const [{ runSchedulerOn }, { ApiClient }, transports] = await Promise.all([
      import('./scheduler.js'), import('../client/rest.js'), import('../client/transport.js'),
    ]);
    const client = new ApiClient(localTransport(transports, server, { name: 'system:kube-scheduler', groups: ['system:masters'] }, 'kite-scheduler'));
    try {
      await runSchedulerOn({ client, logger: ctx.logger, signal, host: ctx.hostnames[0] ?? 'kite', profiles: ctx.schedulerProfiles, leaderElect: true });
    } finally {
      client.close();
    }
  } catch (err) {
    log.error(`failed: ${errorMessage(err)}`);
  }
}

/** The node agent for this machine, reaching the API server in-process as its node. */
async function runInProcessNodeAgent(server: ApiServerInstance, ctx: ServerContext, flags: ServerFlags, pki: ServerPKI, signal: AbortSignal): Promise<void> {
  try {
    const { parseNodeFlags, runInProcessAgent } = await import('./agent.js');
    // A signal of its own: the kubelet's many listeners would otherwise pile onto the controllers' one.
    const own = new AbortController();
    if (signal.aborted) own.abort();
    else signal.addEventListener('abort', () => own.abort(), { once: true });
    await runInProcessAgent({
      connect: (user) => server.connectInProcess!(user),
      ...(server.directHandler ? { direct: (user: { name: string; groups: string[] }) => server.directHandler!(user) } : {}),
      ca: { caCert: pki.caCert, caKey: pki.caKey },
      node: ctx.node ?? parseNodeFlags({}, ctx.hostnames[0] ?? 'kite'),
      dataDir: flags.dataDir, hostnames: ctx.hostnames, logger: ctx.logger, signal: own.signal,
      ...(ctx.agentComponents ? { components: ctx.agentComponents } : {}),
    });
  } catch (err) {
    ctx.logger.with({ component: 'agent' }).error(`failed: ${errorMessage(err)}`);
  }
}

/** Simulated nodes, reaching the API server in-process. */
async function runInProcessSimulator(server: ApiServerInstance, ctx: ServerContext, count: number, signal: AbortSignal): Promise<void> {
  const log = ctx.logger.with({ component: 'node-simulator' });
  try {
    const [{ runSimulatedNodes }, { ApiClient }, transports] = await Promise.all([
      import('./simulate.js'), import('../client/rest.js'), import('../client/transport.js'),
    ]);
    const client = new ApiClient(localTransport(transports, server, { name: 'system:node-simulator', groups: ['system:masters'] }, 'kite-node-simulator'));
    try {
      await runSimulatedNodes(client, { count }, ctx.logger, signal);
    } finally {
      client.close();
    }
  } catch (err) {
    log.error(`failed: ${errorMessage(err)}`);
  }
}

/**
 * How a component of this process reaches the API server as `user`: direct calls into its
 * handler when it offers them, else an in-process connection.
 */
function localTransport(t: typeof import('../client/transport.js'), server: ApiServerInstance, user: { name: string; groups: string[] }, userAgent: string): Transport {
  if (server.directHandler) return t.directTransport(server.directHandler(user), userAgent);
  return t.inProcessTransport(() => server.connectInProcess!(user), userAgent);
}

/** Resolves when `p` settles or after `ms`, whichever comes first. */
async function withinMs(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([p.catch(() => undefined), new Promise<void>((r) => { timer = setTimeout(r, ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** After an abort, start-up gets this long to finish before the server gives up on it. */
const abandonStartupMs = 2000;

/** The start-up results, or undefined when `signal` aborted and start-up did not finish soon after. */
async function settleOrGiveUp<T>(startup: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const givenUp = new Promise<undefined>((resolve) => {
    onAbort = () => { timer = setTimeout(() => resolve(undefined), abandonStartupMs); };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([startup, givenUp]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

function tlsFor(pki: ServerPKI) {
  return { cert: pki.servingCert, key: pki.servingKey, clientCA: pki.caCert };
}

function identityFor(pki: ServerPKI, nodeToken: string) {
  return {
    ca: { cert: pki.caCert, key: pki.caKey },
    nodeToken,
    serviceAccount: { signingKey: pki.serviceAccountKey },
    kubeletClient: { cert: pki.kubeletClientCert, key: pki.kubeletClientKey },
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
