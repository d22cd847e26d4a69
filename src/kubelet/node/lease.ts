// The node's heartbeat Lease in kube-node-lease: held by the node, owned by its Node object,
// renewed every 10 s, and retried with a growing backoff (200 ms doubling to 7 s) while renewal
// fails, as the kubelet's lease controller does.
import type { Lease as WireLease } from 'kubernetes-types/coordination/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import { formatMicroTime } from '../../apimachinery/duration.js';
import type { Logger } from '../../apimachinery/log.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { ApiClient, ResourceClient } from '../../client/rest.js';

export type Lease = WireLease & KubeObject;

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const DEFAULT_LEASE_DURATION_SECONDS = 40;
export const DEFAULT_LEASE_RENEW_MS = 10_000;
const FIRST_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 7_000;

export interface NodeLeaseOptions {
  client: ApiClient;
  clock: Clock;
  logger: Logger;
  nodeName: string;
  /** The Node's uid once known, for the owner reference. */
  nodeUid: () => string | undefined;
  leaseDurationSeconds?: number;
  renewMs?: number;
}

export class NodeLease {
  private readonly leases: ResourceClient<Lease>;
  private latest?: Lease;
  private backoffMs = 0;
  private timer?: { cancel(): void };
  private stopped = false;
  private running?: Promise<void>;

  constructor(private readonly opts: NodeLeaseOptions) {
    this.leases = opts.client.kind<Lease>('coordination.k8s.io/v1', 'Lease');
  }

  /** Renews now and then on every period until `signal` aborts. */
  start(signal: AbortSignal): void {
    const stop = () => {
      this.stopped = true;
      this.timer?.cancel();
    };
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    this.tick();
  }

  /** Waits for a renewal in flight (after stopping). */
  async settled(): Promise<void> {
    await this.running;
  }

  private tick(): void {
    if (this.stopped) return;
    this.running = this.renew().then(
      () => {
        this.backoffMs = 0;
        this.schedule(this.opts.renewMs ?? DEFAULT_LEASE_RENEW_MS);
      },
      (err: unknown) => {
        this.backoffMs = this.backoffMs ? Math.min(this.backoffMs * 2, MAX_BACKOFF_MS) : FIRST_BACKOFF_MS;
        this.opts.logger.warn('renewing the node lease failed', { node: this.opts.nodeName, retryMs: this.backoffMs, error: message(err) });
        this.schedule(this.backoffMs);
      },
    );
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.opts.clock.setTimeout(() => this.tick(), ms);
  }

  /** One renewal: an update of the lease last seen, else of a fresh copy, else a new lease. */
  async renew(): Promise<Lease> {
    if (this.latest) {
      try {
        return (this.latest = await this.leases.update(NODE_LEASE_NAMESPACE, this.renewed(this.latest)));
      } catch (err) {
        this.latest = undefined;
        if (!isConflict(err) && !isNotFound(err)) throw err;
      }
    }
    let current: Lease;
    try {
      current = await this.leases.get(NODE_LEASE_NAMESPACE, this.opts.nodeName);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return (this.latest = await this.leases.create(NODE_LEASE_NAMESPACE, this.renewed({
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name: this.opts.nodeName, namespace: NODE_LEASE_NAMESPACE },
      })));
    }
    return (this.latest = await this.leases.update(NODE_LEASE_NAMESPACE, this.renewed(current)));
  }

  private renewed(lease: Lease): Lease {
    const uid = this.opts.nodeUid();
    const owners = lease.metadata?.ownerReferences ?? [];
    const ownedByNode = owners.some((o) => o.kind === 'Node' && o.apiVersion === 'v1' && o.name === this.opts.nodeName && o.uid === uid);
    return {
      ...lease,
      metadata: {
        ...lease.metadata,
        ...(uid && !ownedByNode ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.opts.nodeName, uid }] } : {}),
      },
      spec: {
        ...lease.spec,
        holderIdentity: this.opts.nodeName,
        leaseDurationSeconds: this.opts.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS,
        renewTime: formatMicroTime(this.opts.clock.now()),
      },
    };
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
