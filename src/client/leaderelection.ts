// Leader election on a coordination.k8s.io/v1 Lease, so that of several controller managers on
// one cluster exactly one runs the controllers. Each write carries the resourceVersion it read:
// two candidates racing for the lease cannot both win, the loser gets a 409 and tries again.
import type { Lease as WireLease } from 'kubernetes-types/coordination/v1.js';
import type { Clock } from '../apimachinery/clock.js';
import { formatMicroTime } from '../apimachinery/duration.js';
import { silentLogger, type Logger } from '../apimachinery/log.js';
import type { KubeObject } from '../apimachinery/object.js';
import { isConflict, isNotFound } from './errors.js';
import type { ApiClient, ResourceClient } from './rest.js';

export interface LeaderElectionOptions {
  client: ApiClient;
  clock: Clock;
  namespace?: string;
  name?: string;
  /** Unique per candidate, e.g. `<hostname>_<random>`. */
  identity: string;
  /** How long a lease holds after its last renewal (Kubernetes: 15). */
  leaseDurationSeconds?: number;
  /** A leader that cannot renew for this long steps down (Kubernetes: 10). */
  renewDeadlineSeconds?: number;
  /** Time between attempts to acquire or renew (Kubernetes: 2). */
  retryPeriodSeconds?: number;
  /**
   * Called on becoming leader; `signal` aborts when leadership ends. A returned promise is
   * awaited before the lease is released or sought again, so the work stops before anyone else starts.
   */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called when a term ends: leadership lost, or the election stopped while leading. */
  onStoppedLeading?(): void;
  /** Called whenever a different holder is observed (including this candidate). */
  onNewLeader?(identity: string): void;
  /** Clears the holder on a clean stop so another candidate takes over at once (default true). */
  releaseOnCancel?: boolean;
  signal: AbortSignal;
  logger?: Logger;
}

export type Lease = WireLease & KubeObject;
type LeaseSpec = NonNullable<WireLease['spec']>;

/** Sleeps on `clock`; resolves early when `signal` aborts. */
function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      timer.cancel();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function parseMs(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Campaigns for the lease until `signal` aborts: acquires it when absent, expired or already ours,
 * renews it every retry period while leading, and steps down when renewal fails for the renew
 * deadline or another holder is seen. After losing it campaigns again. Resolves once stopped
 * (and the lease released, when leading at the time).
 */
export async function runLeaderElection(opts: LeaderElectionOptions): Promise<void> {
  const election = new LeaderElection(opts);
  await election.run();
}

class LeaderElection {
  private readonly leases: ResourceClient<Lease>;
  private readonly namespace: string;
  private readonly name: string;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private readonly logger: Logger;
  /** The lease as last read or written by us. */
  private observed: Lease | undefined;
  private lastHolder = '';

  constructor(private readonly opts: LeaderElectionOptions) {
    this.leases = opts.client.kind<Lease>('coordination.k8s.io/v1', 'Lease');
    this.namespace = opts.namespace ?? 'kube-system';
    this.name = opts.name ?? 'kube-controller-manager';
    this.leaseMs = (opts.leaseDurationSeconds ?? 15) * 1000;
    this.renewDeadlineMs = (opts.renewDeadlineSeconds ?? 10) * 1000;
    this.retryMs = (opts.retryPeriodSeconds ?? 2) * 1000;
    if (!(this.leaseMs > this.renewDeadlineMs && this.renewDeadlineMs > this.retryMs && this.retryMs > 0)) {
      throw new Error('leader election needs leaseDuration > renewDeadline > retryPeriod > 0');
    }
    this.logger = (opts.logger ?? silentLogger).with({ lease: `${this.namespace}/${this.name}` });
  }

  async run(): Promise<void> {
    const { signal } = this.opts;
    while (!signal.aborted) {
      if (!(await this.acquire())) break;
      await this.lead();
    }
  }

  /** Tries every retry period until the lease is ours (true) or the signal aborts (false). */
  private async acquire(): Promise<boolean> {
    const { signal, clock } = this.opts;
    this.logger.info(`attempting to acquire leader lease as ${this.opts.identity}`);
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) {
        this.logger.info(`acquired leader lease as ${this.opts.identity}`);
        return true;
      }
      await sleep(clock, this.jittered(), signal);
    }
    return false;
  }

  /** Holds the lease until it is lost or the election stops. */
  private async lead(): Promise<void> {
    const { signal, clock } = this.opts;
    const term = new AbortController();
    const stop = () => term.abort();
    signal.addEventListener('abort', stop, { once: true });
    let deadline = clock.setTimeout(() => this.lose(term, 'could not renew within the renew deadline'), this.renewDeadlineMs);
    const work = (async () => {
      try {
        await this.opts.onStartedLeading(term.signal);
      } catch (err) {
        this.logger.error(`leader work failed: ${String(err)}`);
      }
    })();
    while (!term.signal.aborted) {
      await sleep(clock, this.retryMs, term.signal);
      if (term.signal.aborted) break;
      const renewed = await this.tryAcquireOrRenew();
      if (term.signal.aborted) break;
      if (renewed) {
        deadline.cancel();
        deadline = clock.setTimeout(() => this.lose(term, 'could not renew within the renew deadline'), this.renewDeadlineMs);
      } else if (this.heldByOther()) {
        this.lose(term, `lease is held by ${this.observed?.spec?.holderIdentity ?? ''}`);
      }
    }
    deadline.cancel();
    signal.removeEventListener('abort', stop);
    await work;
    try {
      this.opts.onStoppedLeading?.();
    } catch (err) {
      this.logger.error(`onStoppedLeading failed: ${String(err)}`);
    }
    if (signal.aborted && (this.opts.releaseOnCancel ?? true)) await this.release();
  }

  private lose(term: AbortController, why: string): void {
    if (term.signal.aborted) return;
    this.logger.warn(`lost leader lease: ${why}`);
    term.abort();
  }

  /** A little randomness so candidates started together do not poll in lockstep. */
  private jittered(): number {
    return this.retryMs * (1 + Math.random() * 0.2);
  }

  private heldByOther(): boolean {
    const spec = this.observed?.spec;
    return !!spec?.holderIdentity && spec.holderIdentity !== this.opts.identity && !this.expired(spec);
  }

  private expired(spec: LeaseSpec): boolean {
    const renewed = parseMs(spec.renewTime) ?? parseMs(spec.acquireTime);
    if (renewed === undefined) return true;
    const duration = (spec.leaseDurationSeconds ?? this.leaseMs / 1000) * 1000;
    return renewed + duration < this.opts.clock.now();
  }

  private noteHolder(holder: string): void {
    if (holder === this.lastHolder) return;
    this.lastHolder = holder;
    if (holder) {
      this.logger.info(`new leader: ${holder}`);
      try {
        this.opts.onNewLeader?.(holder);
      } catch (err) {
        this.logger.error(`onNewLeader failed: ${String(err)}`);
      }
    }
  }

  /** One attempt: true when the lease is ours after it. Never throws. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.opts.clock.now();
    const { identity } = this.opts;
    try {
      let current: Lease;
      try {
        current = await this.leases.get(this.namespace, this.name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const created = await this.leases.create(this.namespace, {
          apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
          metadata: { name: this.name, namespace: this.namespace },
          spec: {
            holderIdentity: identity, leaseDurationSeconds: this.leaseMs / 1000,
            acquireTime: formatMicroTime(now), renewTime: formatMicroTime(now), leaseTransitions: 0,
          },
        });
        this.observed = created;
        this.noteHolder(identity);
        return true;
      }
      this.observed = current;
      const spec = current.spec ?? {};
      const holder = spec.holderIdentity ?? '';
      this.noteHolder(holder);
      const ours = holder === identity;
      if (holder && !ours && !this.expired(spec)) return false;
      const next: LeaseSpec = {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: this.leaseMs / 1000,
        renewTime: formatMicroTime(now),
        acquireTime: ours && spec.acquireTime ? spec.acquireTime : formatMicroTime(now),
        leaseTransitions: ours ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
      };
      // The read resourceVersion rides along: a write in between makes this a 409.
      const updated = await this.leases.update(this.namespace, { ...current, spec: next });
      this.observed = updated;
      this.noteHolder(identity);
      return true;
    } catch (err) {
      if (isConflict(err)) this.logger.debug('lease changed under us; retrying');
      else this.logger.warn(`leader lease attempt failed: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }

  /** Clears the holder, so that another candidate need not wait for the lease to expire. */
  private async release(): Promise<void> {
    const { identity, clock } = this.opts;
    try {
      const current = await this.leases.get(this.namespace, this.name);
      if (current.spec?.holderIdentity !== identity) return;
      const now = formatMicroTime(clock.now());
      await this.leases.update(this.namespace, {
        ...current,
        spec: {
          ...current.spec,
          holderIdentity: undefined, leaseDurationSeconds: 1, acquireTime: now, renewTime: now,
          leaseTransitions: current.spec?.leaseTransitions ?? 0,
        },
      });
      this.logger.info('released leader lease');
    } catch (err) {
      this.logger.warn(`could not release leader lease: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
