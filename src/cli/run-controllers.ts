// Runs a set of controllers against one API client, the same way for `kite server` (in-process)
// and `kite controller-manager` (over HTTPS): behind leader election, each leadership term with
// its own informers, so a candidate that loses the lease starts from a fresh cache when it wins again.
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { realClock, type Clock } from '../apimachinery/clock.js';
import type { Logger } from '../apimachinery/log.js';
import { defaultControllerOptions, type Controller, type ControllerContext, type ControllerOptions } from '../client/controller.js';
import { createEventRecorder, type QueuedEventRecorder } from '../client/events.js';
import { createInformerFactory } from '../client/informers.js';
import { runLeaderElection } from '../client/leaderelection.js';
import type { ApiClient } from '../client/rest.js';

export interface LeaderElectionConfig {
  identity: string;
  namespace?: string;
  name?: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
}

export interface RunControllersOptions {
  client: ApiClient;
  controllers: Controller[];
  logger: Logger;
  signal: AbortSignal;
  clock?: Clock;
  options?: Partial<ControllerOptions>;
  /** Where events say they come from (source.host). */
  host?: string;
  /** Without it the controllers run at once, with no lease. */
  leaderElection?: LeaderElectionConfig;
  /** The component the log lines name (default: controller-manager). */
  component?: string;
}

/** `<hostname>_<random>`, as kube-controller-manager names its leader election identity. */
export function leaderIdentity(hostname: string): string {
  return `${hostname}_${randomBytes(8).toString('hex')}`;
}

/** Runs the controllers until `signal` aborts; resolves once all of them have stopped. */
export async function runControllers(opts: RunControllersOptions): Promise<void> {
  const log = opts.logger.with({ component: opts.component ?? 'controller-manager' });
  if (!opts.leaderElection) {
    await runTerm(opts, opts.signal);
    return;
  }
  const le = opts.leaderElection;
  const namespace = le.namespace ?? 'kube-system';
  const name = le.name ?? 'kube-controller-manager';
  await runLeaderElection({
    client: opts.client,
    clock: opts.clock ?? realClock,
    identity: le.identity,
    namespace,
    name,
    leaseDurationSeconds: le.leaseDurationSeconds,
    renewDeadlineSeconds: le.renewDeadlineSeconds,
    retryPeriodSeconds: le.retryPeriodSeconds,
    signal: opts.signal,
    logger: opts.logger.with({ component: 'leader-election', lease: `${namespace}/${name}` }),
    onStartedLeading: (term) => runTerm(opts, term),
    onStoppedLeading: () => {
      if (!opts.signal.aborted) log.warn('leadership lost; controllers stopped until the lease is won again');
    },
  });
}

/** One leadership term: fresh informers, every controller started, all stopped when `signal` aborts. */
async function runTerm(opts: RunControllersOptions, signal: AbortSignal): Promise<void> {
  const clock = opts.clock ?? realClock;
  const log = opts.logger.with({ component: opts.component ?? 'controller-manager' });
  // Every controller, informer and queue listens for the end of the term.
  setMaxListeners(0, signal);
  const informers = createInformerFactory(opts.client, { clock, logger: opts.logger });
  const recorders = new Map<string, QueuedEventRecorder>();
  const ctx: ControllerContext = {
    client: opts.client,
    informers,
    clock,
    logger: opts.logger,
    options: { ...defaultControllerOptions, ...opts.options },
    recorder(component) {
      let r = recorders.get(component);
      if (!r) {
        r = createEventRecorder(opts.client, { component, host: opts.host, clock, logger: opts.logger });
        recorders.set(component, r);
      }
      return r;
    },
  };
  informers.start(signal);
  const runs = opts.controllers.map(async (c) => {
    log.info(`started ${c.name} controller`);
    try {
      await c.run(ctx, signal);
    } catch (err) {
      // One failing controller must not take the others down.
      if (!signal.aborted) log.error(`${c.name} controller failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  informers.waitForSync(signal).then(
    () => log.info(`caches synced for ${informers.stats().length} resources`),
    () => undefined,
  );
  await Promise.all(runs);
  await informers.stopped();
  await Promise.all([...recorders.values()].map((r) => r.flush()));
  if (signal.aborted) log.info('controllers stopped');
}
