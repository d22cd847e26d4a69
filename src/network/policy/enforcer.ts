// NetworkPolicy on one node: watches Pods, Namespaces and NetworkPolicies and keeps one nftables
// table (family ip) of its own whose forward-hook chain judges traffic to and from this node's
// pods. Every change schedules a rate-limited sync that recomputes the ruleset from the informer
// caches and sends the kernel one transaction with just the differences. Stopping deletes the table.
import type { Namespace, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { BoundedRunner } from '../../apimachinery/bounded-runner.js';
import { realClock, type Clock } from '../../apimachinery/clock.js';
import { silentLogger, type Logger } from '../../apimachinery/log.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { Informer, InformerFactory } from '../../client/informer-types.js';
import type { ResourceRef } from '../../client/rest.js';
import { execRunner, type CommandRunner } from '../runner.js';
import { computeRuleset } from './compute.js';
import { namespaceInfo, podInfo, policyInfo, type PolicyModel } from './model.js';
import { DEFAULT_TABLE, planTransaction, renderCleanup, type AppliedState } from './render.js';

type PodObject = Pod & KubeObject;
type NamespaceObject = Namespace & KubeObject;
type PolicyObject = NetworkPolicy & KubeObject;

export const POD_REF: ResourceRef = { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };
export const NAMESPACE_REF: ResourceRef = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };
export const NETWORK_POLICY_REF: ResourceRef = { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true };

/** Same-node pods talk across the CNI bridge; only with this sysctl on does forward see them. */
const BRIDGE_SYSCTL = 'net.bridge.bridge-nf-call-iptables';

export interface NetworkPolicyEnforcerOptions {
  /** Pod, Namespace and NetworkPolicy informers are asked of it; the enforcer starts it. */
  informers: InformerFactory;
  /** Traffic to and from the pods of this node is judged here. */
  nodeName: string;
  /** Runs nft, sysctl and modprobe; where it runs them (e.g. in a network namespace) is where rules go. */
  run?: CommandRunner;
  /** Default `['nft']`. */
  nftCommand?: string[];
  /** Default `kite-netpol` (family ip). */
  table?: string;
  /** Least time between two syncs; default 100 ms. */
  minSyncIntervalMs?: number;
  /** How long an unused chain stays (empty) before it is deleted; default 1 s. */
  staleChainDelayMs?: number;
  /** Wait before retrying a failed sync (as a full one); default 1 s. */
  retryMs?: number;
  /** Turn on bridge netfilter (loading br_netfilter if needed) at start; default true. */
  bridgeNetfilter?: boolean;
  clock?: Clock;
  logger?: Logger;
}

export interface EnforcerStats {
  syncs: number;
  failures: number;
  /** The text of the last transaction sent to nft. */
  lastTransaction: string;
  /** Local pods isolated for ingress and for egress after the last sync. */
  isolated: { ingress: number; egress: number };
}

export class NetworkPolicyEnforcer {
  readonly ready: Promise<void>;
  readonly table: string;
  private markReady!: () => void;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly run: CommandRunner;
  private pods!: Informer<PodObject>;
  private namespaces!: Informer<NamespaceObject>;
  private policies!: Informer<PolicyObject>;
  private applied: AppliedState | undefined;
  private started = false;
  private dirty = false;
  private readonly runner: BoundedRunner;
  private staleTimer: { cancel(): void } | undefined;
  private stopped: Promise<void> | undefined;
  private readonly counters: EnforcerStats = { syncs: 0, failures: 0, lastTransaction: '', isolated: { ingress: 0, egress: 0 } };

  constructor(private readonly opts: NetworkPolicyEnforcerOptions) {
    this.table = opts.table ?? DEFAULT_TABLE;
    this.clock = opts.clock ?? realClock;
    this.run = opts.run ?? execRunner;
    this.log = (opts.logger ?? silentLogger).with({ component: 'netpol' });
    this.ready = new Promise((resolve) => { this.markReady = resolve; });
    this.runner = new BoundedRunner({
      clock: this.clock,
      minIntervalMs: opts.minSyncIntervalMs ?? 100,
      sync: () => this.syncOnce(),
      pending: () => this.dirty,
    });
  }

  stats(): EnforcerStats {
    return { ...this.counters, isolated: { ...this.counters.isolated } };
  }

  /** Enforces policies until `signal` aborts, then deletes the table. */
  async start(signal: AbortSignal): Promise<void> {
    this.pods = this.opts.informers.informer<PodObject>(POD_REF);
    this.namespaces = this.opts.informers.informer<NamespaceObject>(NAMESPACE_REF);
    this.policies = this.opts.informers.informer<PolicyObject>(NETWORK_POLICY_REF);
    // Pod status churns (conditions, restarts); only what a policy can see marks the model dirty.
    this.pods.addEventHandler({
      onAdd: (p) => { if (podInfo(p)) this.changed(); },
      onUpdate: (a, b) => { if (JSON.stringify(podInfo(a)) !== JSON.stringify(podInfo(b))) this.changed(); },
      onDelete: (p) => { if (podInfo(p)) this.changed(); },
    });
    this.namespaces.addEventHandler({
      onAdd: () => this.changed(),
      onUpdate: (a, b) => { if (JSON.stringify(a.metadata?.labels ?? {}) !== JSON.stringify(b.metadata?.labels ?? {})) this.changed(); },
      onDelete: () => this.changed(),
    });
    this.policies.addEventHandler({ onAdd: () => this.changed(), onUpdate: () => this.changed(), onDelete: () => this.changed() });
    this.opts.informers.start(signal);
    try {
      await this.opts.informers.waitForSync(signal);
    } catch {
      return;
    }
    if (signal.aborted) return;
    if (this.opts.bridgeNetfilter !== false) await this.enableBridgeNetfilter();
    this.started = true;
    this.dirty = true;
    await this.runner.run();
    this.markReady();
    this.log.info(`enforcing NetworkPolicies in nftables table ip ${this.table}`, { node: this.opts.nodeName });
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await this.stop();
  }

  /** Stops syncing and deletes the table. */
  stop(): Promise<void> {
    this.stopped ??= this.cleanup();
    return this.stopped;
  }

  private async cleanup(): Promise<void> {
    this.staleTimer?.cancel();
    await this.runner.stop();
    try {
      await this.nft(renderCleanup(this.table));
      this.log.info(`deleted nftables table ip ${this.table}`);
    } catch (err) {
      this.log.error('could not delete the nftables table', { error: message(err) });
    }
  }

  private async enableBridgeNetfilter(): Promise<void> {
    const set = () => this.run('sysctl', ['-qw', `${BRIDGE_SYSCTL}=1`]);
    try {
      await set();
    } catch {
      try {
        await this.run('modprobe', ['br_netfilter']);
        await set();
      } catch (err) {
        this.log.warn('bridge netfilter is off: traffic between pods of this node is not filtered', { error: message(err) });
      }
    }
  }

  private nft(text: string): Promise<string> {
    const [file, ...args] = this.opts.nftCommand ?? ['nft'];
    return this.run(file!, [...args, '-f', '-'], { input: text });
  }

  private changed(): void {
    this.dirty = true;
    if (this.started) this.runner.request();
  }

  private model(): PolicyModel {
    const defined = <T>(v: T | undefined): v is T => v !== undefined;
    return {
      nodeName: this.opts.nodeName,
      pods: this.pods.store.list().map(podInfo).filter(defined),
      namespaces: this.namespaces.store.list().map(namespaceInfo).filter(defined),
      policies: this.policies.store.list().map(policyInfo).filter(defined),
    };
  }

  /** One pass; the runner calls it only when the model is dirty, never two at once. */
  private async syncOnce(): Promise<void> {
    this.dirty = false;
    const staleDelay = this.opts.staleChainDelayMs ?? 1000;
    const ruleset = computeRuleset(this.model());
    const full = this.applied === undefined;
    const { text, next } = planTransaction(this.table, this.applied, ruleset, this.clock.now(), staleDelay);
    if (!text) {
      this.applied = next;
      return;
    }
    this.counters.lastTransaction = text;
    try {
      await this.nft(text);
      this.counters.syncs++;
      this.counters.isolated = { ingress: ruleset.ingress.size, egress: ruleset.egress.size };
      this.applied = next;
      this.log.debug('synced', { full, ingress: ruleset.ingress.size, egress: ruleset.egress.size });
      if (next.stale.size > 0 && !this.staleTimer) {
        // A later pass deletes the emptied chains once they have been unused long enough.
        this.staleTimer = this.clock.setTimeout(() => {
          this.staleTimer = undefined;
          this.changed();
        }, staleDelay);
      }
    } catch (err) {
      this.counters.failures++;
      this.log.error('nftables sync failed; retrying with a full sync', { error: message(err) });
      // The kernel's state is unknown now: the next sync rebuilds the table from the model.
      this.applied = undefined;
      this.dirty = true;
      this.runner.request(this.opts.retryMs ?? 1000);
    }
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
