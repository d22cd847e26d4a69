// What the proxier programs: the kernel side of one mode. The proxier tracks which Services
// changed and when to sync; a dataplane holds their ServicePorts and writes them to the kernel.
// nftables rewrites only the chains that differ; iptables rewrites all of its chains each time.
import type { Clock } from '../apimachinery/clock.js';
import { planSync, type AppliedState } from './changes.js';
import { applyIptables, cleanupIptables, readIptables, type IptablesOptions } from './iptables.js';
import { renderIptables } from './iptables-render.js';
import type { NodeInfo, ServicePortModel } from './model.js';
import { applyNft, cleanupTable, type NftOptions } from './nft.js';
import { renderPlan, renderServicePort, type RenderedPort } from './render.js';

export interface SyncResult {
  /** A sync is due again after this long (chains waiting for deletion), if set. */
  resyncAfterMs?: number;
  /** For the debug log line. */
  detail: Record<string, unknown>;
}

export interface Dataplane {
  /** What it programs, for log lines: "nftables table ip kite-proxy". */
  readonly description: string;
  /** The text last sent to the kernel. */
  readonly lastTransaction: string;
  /** Sets the ServicePorts of the Service `key`; none means the Service is gone. */
  setService(key: string, ports: ServicePortModel[]): void;
  /** Brings the kernel in step with the Services; throws when the kernel refused. */
  sync(): Promise<SyncResult>;
  /** Forgets what the kernel holds, so that the next sync rebuilds everything. */
  reset(): void;
  /** Removes everything it made. */
  cleanup(): Promise<void>;
}

export class NftablesDataplane implements Dataplane {
  readonly description: string;
  lastTransaction = '';
  private readonly rendered = new Map<string, RenderedPort[]>();
  private applied: AppliedState | undefined;

  constructor(private readonly table: string, private readonly node: NodeInfo, private readonly nft: NftOptions,
    private readonly clock: Clock, private readonly staleDelayMs: number) {
    this.description = `nftables table ip ${table}`;
  }

  setService(key: string, ports: ServicePortModel[]): void {
    if (ports.length > 0) this.rendered.set(key, ports.map((sp) => renderServicePort(sp, this.node)));
    else this.rendered.delete(key);
  }

  async sync(): Promise<SyncResult> {
    const all = [...this.rendered.keys()].sort().flatMap((k) => this.rendered.get(k)!);
    const { plan, next } = planSync(this.applied, all, this.clock.now(), this.staleDelayMs);
    this.lastTransaction = renderPlan(this.table, this.node, plan);
    await applyNft(this.lastTransaction, this.nft);
    this.applied = next;
    return {
      ...(next.stale.size > 0 ? { resyncAfterMs: this.staleDelayMs } : {}),
      detail: { full: plan.full, chains: plan.writeChains.size },
    };
  }

  reset(): void {
    this.applied = undefined;
  }

  cleanup(): Promise<void> {
    return cleanupTable(this.table, this.nft);
  }
}

export class IptablesDataplane implements Dataplane {
  readonly description = 'iptables KITE-* chains (filter and nat)';
  lastTransaction = '';
  private readonly ports = new Map<string, ServicePortModel[]>();

  constructor(private readonly node: NodeInfo, private readonly iptables: IptablesOptions) {}

  setService(key: string, ports: ServicePortModel[]): void {
    if (ports.length > 0) this.ports.set(key, ports);
    else this.ports.delete(key);
  }

  async sync(): Promise<SyncResult> {
    const ports = [...this.ports.keys()].sort().flatMap((k) => this.ports.get(k)!);
    const existing = await readIptables(this.iptables);
    this.lastTransaction = renderIptables({ node: this.node, ports }, existing);
    await applyIptables(this.lastTransaction, this.iptables);
    return { detail: { full: true, ports: ports.length } };
  }

  /** Every sync is a full one that reads the kernel first: nothing to forget. */
  reset(): void {}

  cleanup(): Promise<void> {
    return cleanupIptables(this.iptables);
  }
}
