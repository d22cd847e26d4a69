// Pods parked by Permit plugins that answered Wait: each such plugin must allow the pod before
// it may bind; one rejection, or any plugin's timeout, rejects it.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import { Code, Status } from './status.js';

export class WaitingPod {
  private readonly pending: Set<string>;
  private readonly timers: { cancel(): void }[] = [];
  private settled?: Status;
  private resolvers: ((s: Status) => void)[] = [];

  constructor(readonly pod: Pod, readonly nodeName: string, waits: Map<string, number>, clock: Clock) {
    this.pending = new Set(waits.keys());
    for (const [plugin, ms] of waits) {
      this.timers.push(clock.setTimeout(() => this.reject(plugin, `rejected due to timeout after waiting ${ms / 1000}s at plugin ${plugin}`), ms));
    }
  }

  pendingPlugins(): string[] { return [...this.pending]; }

  allow(plugin: string): void {
    if (this.settled) return;
    this.pending.delete(plugin);
    if (this.pending.size === 0) this.settle(Status.success());
  }

  reject(plugin: string, message: string): void {
    if (this.settled) return;
    const s = new Status(Code.Unschedulable, [message]).withPlugin(plugin);
    this.settle(s);
  }

  wait(): Promise<Status> {
    if (this.settled) return Promise.resolve(this.settled);
    return new Promise((resolve) => this.resolvers.push(resolve));
  }

  private settle(s: Status): void {
    this.settled = s;
    for (const t of this.timers) t.cancel();
    const rs = this.resolvers;
    this.resolvers = [];
    for (const r of rs) r(s);
  }
}

export class WaitingPods {
  private readonly byUid = new Map<string, WaitingPod>();
  constructor(private readonly clock: Clock) {}

  add(pod: Pod, nodeName: string, waits: Map<string, number>): WaitingPod {
    const uid = pod.metadata?.uid ?? '';
    const wp = new WaitingPod(pod, nodeName, waits, this.clock);
    this.byUid.set(uid, wp);
    return wp;
  }

  /** A pod still waiting for Permit plugins, for plugins to allow or reject. */
  get(uid: string): WaitingPod | undefined { return this.byUid.get(uid); }
  list(): WaitingPod[] { return [...this.byUid.values()]; }

  /** The decision on the pod (Success if it is not waiting); it stops being listed then. */
  async wait(pod: Pod): Promise<Status> {
    const uid = pod.metadata?.uid ?? '';
    const wp = this.byUid.get(uid);
    if (!wp) return Status.success();
    const s = await wp.wait();
    if (this.byUid.get(uid) === wp) this.byUid.delete(uid);
    return s;
  }
}
