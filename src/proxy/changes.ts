// Change tracking: which Services an informer event touches, and, from what the kernel holds and
// what the model now renders, the smallest transaction — only chains whose rules differ are
// rewritten; chains that fell out of use are emptied at once and deleted a little later (a kernel
// before 6.2 may still count a just-removed map element's reference to them).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { SERVICE_NAME_LABEL } from './model.js';
import { isServicePortChain } from './names.js';
import type { RenderedPort, SyncPlan } from './render.js';

/** Services (`namespace/name`) whose objects changed since the last `take`. */
export class ChangeTracker {
  private dirty = new Set<string>();

  service(svc: Service | undefined): void {
    const m = svc?.metadata;
    if (m?.name) this.dirty.add(`${m.namespace ?? 'default'}/${m.name}`);
  }

  /** A slice belongs to the Service named by its label; a slice without one changes nothing. */
  slice(slice: EndpointSlice | undefined): void {
    const name = slice?.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (name) this.dirty.add(`${slice!.metadata?.namespace ?? 'default'}/${name}`);
  }

  get size(): number {
    return this.dirty.size;
  }

  take(): Set<string> {
    const out = this.dirty;
    this.dirty = new Set();
    return out;
  }
}

/** What the kernel holds after the last successful sync. */
export interface AppliedState {
  /** Chain name → its rules joined by newlines. */
  chains: Map<string, string>;
  sets: Map<string, number>;
  /** Emptied chains waiting for deletion → when they fell out of use (ms). */
  stale: Map<string, number>;
}

export function emptyState(): AppliedState {
  return { chains: new Map(), sets: new Map(), stale: new Map() };
}

/** The plan turning `applied` into `ports`, and the state that holds once it has run. */
export function planSync(applied: AppliedState | undefined, ports: RenderedPort[], now: number, staleDelayMs: number): { plan: SyncPlan; next: AppliedState } {
  const wanted = new Map<string, string[]>();
  const sets = new Map<string, number>();
  for (const p of ports) {
    for (const [name, rules] of p.chains) wanted.set(name, rules);
    for (const [name, timeout] of p.sets) sets.set(name, timeout);
  }
  const next: AppliedState = { chains: new Map(), sets, stale: new Map() };
  for (const [name, rules] of wanted) next.chains.set(name, rules.join('\n'));
  if (!applied) {
    return { plan: { full: true, ports, writeChains: wanted, addSets: sets, flushChains: [], deleteChains: [], deleteSets: [] }, next };
  }
  const writeChains = new Map<string, string[]>();
  for (const [name, rules] of wanted) if (applied.chains.get(name) !== next.chains.get(name)) writeChains.set(name, rules);
  const addSets = new Map([...sets].filter(([name]) => !applied.sets.has(name)));
  const flushChains: string[] = [];
  const deleteChains: string[] = [];
  for (const name of applied.chains.keys()) {
    if (!wanted.has(name) && isServicePortChain(name)) {
      flushChains.push(name);
      next.stale.set(name, now);
    }
  }
  for (const [name, since] of applied.stale) {
    if (wanted.has(name) || next.stale.has(name)) continue;
    if (now - since >= staleDelayMs) deleteChains.push(name);
    else next.stale.set(name, since);
  }
  const deleteSets = [...applied.sets.keys()].filter((name) => !sets.has(name));
  return { plan: { full: false, ports, writeChains, addSets, flushChains, deleteChains, deleteSets }, next };
}
