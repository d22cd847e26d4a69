// Turns the desired endpoints of one address family into slice writes: keep endpoints where they
// are, fill slices with room before creating new ones, and reuse slices due for deletion as the
// slices to be created, so that churn is mostly updates in place.
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { portsKey, type PortGroup } from './desired.js';
import { sameValue } from '../../client/equality.js';

export interface SliceContent { ports: EndpointPort[]; endpoints: Endpoint[] }

export interface SlicePlan<S extends EndpointSlice = EndpointSlice> {
  create: SliceContent[];
  update: { slice: S; content: SliceContent }[];
  /** Slices whose endpoints and ports stay as they are (their labels may still need a write). */
  keep: S[];
  delete: S[];
}

const byAddress = (a: Endpoint, b: Endpoint): number => (a.addresses[0] ?? '').localeCompare(b.addresses[0] ?? '');

export function planSlices<S extends EndpointSlice>(existing: S[], groups: Map<string, PortGroup>, maxPerSlice: number): SlicePlan<S> {
  const plan: SlicePlan<S> = { create: [], update: [], keep: [], delete: [] };
  const claimed = new Set<S>();

  for (const [key, group] of groups) {
    const remaining = new Map(group.endpoints);
    const updated: { slice: S; content: SliceContent }[] = [];
    const unchanged: { slice: S; endpoints: Endpoint[] }[] = [];
    for (const slice of existing) {
      if (claimed.has(slice) || portsKey(slice.ports) !== key) continue;
      claimed.add(slice);
      let changed = false;
      const endpoints: Endpoint[] = [];
      for (const ep of slice.endpoints ?? []) {
        const address = ep.addresses?.[0];
        const want = address === undefined ? undefined : remaining.get(address);
        if (!want || endpoints.length >= maxPerSlice) {
          changed = true;
          continue;
        }
        remaining.delete(address!);
        endpoints.push(want);
        if (!sameValue(want, ep)) changed = true;
      }
      if (endpoints.length === 0) plan.delete.push(slice);
      else if (changed) updated.push({ slice, content: { ports: group.ports, endpoints } });
      else unchanged.push({ slice, endpoints });
    }
    const leftovers = [...remaining.values()].sort(byAddress);
    // New endpoints go first where a write happens anyway, then into untouched slices with room.
    for (const u of updated) {
      while (leftovers.length && u.content.endpoints.length < maxPerSlice) u.content.endpoints.push(leftovers.shift()!);
    }
    for (const u of unchanged) {
      if (leftovers.length && u.endpoints.length < maxPerSlice) {
        const endpoints = [...u.endpoints];
        while (leftovers.length && endpoints.length < maxPerSlice) endpoints.push(leftovers.shift()!);
        updated.push({ slice: u.slice, content: { ports: group.ports, endpoints } });
      } else {
        plan.keep.push(u.slice);
      }
    }
    plan.update.push(...updated);
    while (leftovers.length) plan.create.push({ ports: group.ports, endpoints: leftovers.splice(0, maxPerSlice) });
  }
  for (const slice of existing) if (!claimed.has(slice)) plan.delete.push(slice);

  // A service without endpoints keeps one empty slice, so that it is visibly handled.
  if (groups.size === 0) {
    const placeholder = plan.delete.find((s) => (s.endpoints ?? []).length === 0 && (s.ports ?? []).length === 0);
    if (placeholder) {
      plan.delete = plan.delete.filter((s) => s !== placeholder);
      plan.keep.push(placeholder);
    } else {
      plan.create.push({ ports: [], endpoints: [] });
    }
  }

  // Rewriting a slice that would be deleted costs one write instead of two.
  while (plan.create.length && plan.delete.length) {
    plan.update.push({ slice: plan.delete.shift()!, content: plan.create.shift()! });
  }
  return plan;
}

export function sameSliceContent(slice: EndpointSlice, content: SliceContent): boolean {
  return portsKey(slice.ports) === portsKey(content.ports) && sameValue(slice.endpoints ?? [], content.endpoints);
}
