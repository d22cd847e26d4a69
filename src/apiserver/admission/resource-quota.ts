// ResourceQuota admission: a new object is refused when what it charges, added to what the
// namespace already uses, would pass a quota's hard limit. Usage is counted from storage at
// admission time rather than read from status.used, which the quota controller fills in later.
import type { KubeObject } from '../../apimachinery/object.js';
import { parseQuantity, Quantity } from '../../apimachinery/quantity.js';
import {
  chargedUsage, formatUsage, missingContainerAmounts, quotaCoversObject, quotaUsed, resourceCounting,
  groupResourceString, type GroupResource, type QuotaSpec, type Usage,
} from '../../api/quota/usage.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceStore } from '../registry/store.js';
import { admissionForbidden } from './forbidden.js';

interface QuotaLike extends KubeObject { spec?: QuotaSpec }

function storeFor(registry: Registry, gr: GroupResource): ResourceStore | undefined {
  // The first store of a group is its preferred version; any version lists the same objects.
  return registry.all().find((s) => s.rt.group === gr.group && s.rt.plural === gr.plural);
}

/** The namespace's quotas by name (one list; none for most namespaces). */
export async function quotasIn(registry: Registry, namespace: string): Promise<QuotaLike[]> {
  const store = registry.lookup('', 'v1', 'resourcequotas');
  if (!store) return [];
  if (!(await registry.presence(store).mayHave(namespace))) return [];
  const { items } = await store.list(namespace, {});
  return (items as QuotaLike[]).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/**
 * Checks a new object of `gr` against the given quotas; throws 403 Forbidden as Kubernetes does
 * (`exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2`, or
 * `failed quota: q: must specify requests.cpu for: c`).
 */
export async function checkQuotas(
  registry: Registry, gr: GroupResource, namespace: string, obj: KubeObject, quotas: QuotaLike[], now: number,
): Promise<void> {
  const listed = new Map<string, KubeObject[]>();
  const objectsOf = async (of: GroupResource): Promise<KubeObject[]> => {
    const key = groupResourceString(of);
    let items = listed.get(key);
    if (!items) {
      const store = storeFor(registry, of);
      items = store ? (await store.list(namespace, {})).items : [];
      listed.set(key, items);
    }
    return items;
  };

  for (const quota of quotas) {
    const spec = quota.spec ?? {};
    const hard = spec.hard ?? {};
    const name = quota.metadata?.name ?? '';
    if (!quotaCoversObject(spec, gr, obj)) continue;
    if (!gr.group && gr.plural === 'pods') {
      const missing = missingContainerAmounts(obj, Object.keys(hard));
      if (missing) throw admissionForbidden(gr.group, gr.plural, obj, `failed quota: ${name}: ${missing}`);
    }
    const requested = chargedUsage(spec, gr, obj, now);
    if (!requested.size) continue;

    // Count only what the request touches: one list per resource those names count.
    const names = [...requested.keys()];
    const counted = new Map<string, GroupResource>();
    for (const n of names) {
      const of = resourceCounting(n);
      if (of) counted.set(groupResourceString(of), of);
    }
    const objects = [];
    for (const of of counted.values()) objects.push({ gr: of, items: await objectsOf(of) });
    const narrowed: QuotaSpec = { ...spec, hard: Object.fromEntries(names.map((n) => [n, hard[n]!])) };
    const used = quotaUsed(narrowed, objects, now);

    const exceeded: string[] = [];
    for (const n of names) {
      const limit = parseHard(hard[n]);
      if (!limit) continue;
      const after = (used.get(n) ?? new Quantity(0n)).add(requested.get(n)!);
      if (after.cmp(limit) > 0) exceeded.push(n);
    }
    if (!exceeded.length) continue;
    const mask = (u: Usage | Map<string, Quantity>): Usage => new Map(exceeded.map((n) => [n, u.get(n) ?? new Quantity(0n)]));
    const limited: Usage = new Map(exceeded.map((n) => [n, parseHard(hard[n])!]));
    throw admissionForbidden(gr.group, gr.plural, obj,
      `exceeded quota: ${name}, requested: ${formatUsage(mask(requested))}, used: ${formatUsage(mask(used))}, limited: ${formatUsage(limited)}`);
  }
}

function parseHard(v: string | number | undefined): Quantity | undefined {
  if (v === undefined) return undefined;
  try {
    return parseQuantity(String(v).trim());
  } catch {
    return undefined;
  }
}

/**
 * Admission of creates in one namespace is serialised while quotas apply there, so two creates
 * cannot both pass on the same remaining room. `run` returns the release, to call after the write.
 */
export class NamespaceLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async acquire(namespace: string): Promise<() => void> {
    const prior = this.tails.get(namespace) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    const tail = prior.then(() => mine);
    this.tails.set(namespace, tail);
    await prior;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
      if (this.tails.get(namespace) === tail) this.tails.delete(namespace);
    };
  }
}
