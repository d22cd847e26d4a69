// LimitRanger: new pods get their containers' missing requests and limits from the namespace's
// LimitRanges (`type: Container` default / defaultRequest), and pods and claims outside a
// range's min, max or maxLimitRequestRatio are refused.
import type { KubeObject } from '../../apimachinery/object.js';
import { parseQuantity, type Quantity } from '../../apimachinery/quantity.js';
import { podResourceList, type Usage } from '../../api/quota/usage.js';
import type { Registry } from '../registry/registry.js';
import { admissionForbidden } from './forbidden.js';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

type ResourceMap = Record<string, string | number>;
interface LimitItem {
  type?: string;
  max?: ResourceMap; min?: ResourceMap; default?: ResourceMap; defaultRequest?: ResourceMap; maxLimitRequestRatio?: ResourceMap;
}
interface LimitRangeLike extends KubeObject { spec?: { limits?: LimitItem[] } }
interface ContainerLike { name?: string; resources?: { requests?: ResourceMap; limits?: ResourceMap } }
interface PodLike extends KubeObject { spec?: { containers?: ContainerLike[]; initContainers?: ContainerLike[] } }
interface ClaimLike extends KubeObject { spec?: { resources?: { requests?: ResourceMap } } }

/** The namespace's LimitRanges, oldest name first (one list; none for most namespaces). */
export async function limitRangesIn(registry: Registry, namespace: string): Promise<LimitRangeLike[]> {
  const store = registry.lookup('', 'v1', 'limitranges');
  if (!store) return [];
  if (!(await registry.presence(store).mayHave(namespace))) return [];
  const { items } = await store.list(namespace, {});
  return (items as LimitRangeLike[]).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/** Fills what a container leaves out from the ranges' defaults; earlier ranges win. */
export function applyContainerDefaults(pod: PodLike, ranges: LimitRangeLike[]): void {
  const notes: string[] = [];
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      if (item.type !== 'Container') continue;
      const merge = (c: ContainerLike, what: string) => {
        const res = (c.resources ??= {});
        const setLimits = fill((res.limits ??= {}), item.default);
        const setRequests = fill((res.requests ??= {}), item.defaultRequest);
        if (!Object.keys(res.limits).length) delete res.limits;
        if (!Object.keys(res.requests).length) delete res.requests;
        if (setRequests.length) notes.push(`${setRequests.sort().join(', ')} request for ${what} ${c.name ?? ''}`);
        if (setLimits.length) notes.push(`${setLimits.sort().join(', ')} limit for ${what} ${c.name ?? ''}`);
      };
      for (const c of pod.spec?.containers ?? []) merge(c, 'container');
      for (const c of pod.spec?.initContainers ?? []) merge(c, 'init container');
    }
  }
  if (notes.length) {
    const meta = (pod.metadata ??= {});
    meta.annotations = { ...meta.annotations, [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
  }
}

function fill(into: ResourceMap, defaults: ResourceMap | undefined): string[] {
  const set: string[] = [];
  for (const [k, v] of Object.entries(defaults ?? {})) {
    if (k in into) continue;
    into[k] = v;
    set.push(k);
  }
  return set;
}

function parsed(list: ResourceMap | undefined): Usage {
  const out: Usage = new Map();
  for (const [k, v] of Object.entries(list ?? {})) {
    try { out.set(k, parseQuantity(String(v).trim())); } catch { /* validation reports it */ }
  }
  return out;
}

// Kubernetes compares in milli-units (rounded up), so "1.0001m" is not below "2m" by less than a milli.
const milli = (q: Quantity): bigint => q.scaledValue(-3);

function minViolation(kind: string, name: string, enforced: Quantity, req: Usage, lim: Usage): string | undefined {
  const r = req.get(name);
  const l = lim.get(name);
  if (!r) return `minimum ${name} usage per ${kind} is ${enforced}.  No request is specified`;
  if (milli(r) < milli(enforced)) return `minimum ${name} usage per ${kind} is ${enforced}, but request is ${r}`;
  if (l && milli(l) < milli(enforced)) return `minimum ${name} usage per ${kind} is ${enforced}, but limit is ${l}`;
  return undefined;
}

function maxViolation(kind: string, name: string, enforced: Quantity, req: Usage, lim: Usage): string | undefined {
  const r = req.get(name);
  const l = lim.get(name);
  if (!l) return `maximum ${name} usage per ${kind} is ${enforced}.  No limit is specified`;
  if (milli(l) > milli(enforced)) return `maximum ${name} usage per ${kind} is ${enforced}, but limit is ${l}`;
  if (r && milli(r) > milli(enforced)) return `maximum ${name} usage per ${kind} is ${enforced}, but request is ${r}`;
  return undefined;
}

function ratioViolation(kind: string, name: string, enforced: Quantity, req: Usage, lim: Usage): string | undefined {
  const r = req.get(name);
  const l = lim.get(name);
  const prefix = `${name} max limit to request ratio per ${kind} is ${enforced}`;
  if (!r || r.isZero()) return `${prefix}, but no request is specified or request is 0`;
  if (!l || l.isZero()) return `${prefix}, but no limit is specified or limit is 0`;
  const ratio = Number(milli(l)) / Number(milli(r));
  if (ratio * 1000 > Number(milli(enforced))) return `${prefix}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

function checkItem(kind: string, item: LimitItem, req: Usage, lim: Usage, out: string[]): void {
  const each = (list: ResourceMap | undefined, check: typeof minViolation) => {
    for (const [name, q] of [...parsed(list)].sort(([a], [b]) => a.localeCompare(b))) {
      const v = check(kind, name, q, req, lim);
      if (v) out.push(v);
    }
  };
  each(item.min, minViolation);
  each(item.max, maxViolation);
  each(item.maxLimitRequestRatio, ratioViolation);
}

/** The range violations of a pod, in Kubernetes' words. */
export function podViolations(pod: PodLike, ranges: LimitRangeLike[]): string[] {
  const out: string[] = [];
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      if (item.type === 'Container') {
        for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
          checkItem('Container', item, parsed(c.resources?.requests), parsed(c.resources?.limits), out);
        }
      } else if (item.type === 'Pod') {
        checkItem('Pod', item, podResourceList(pod, 'requests'), podResourceList(pod, 'limits'), out);
      }
    }
  }
  return out;
}

/** A claim is held to min and max by what it requests (its limits are not user input). */
export function claimViolations(pvc: ClaimLike, ranges: LimitRangeLike[]): string[] {
  const out: string[] = [];
  const req = parsed(pvc.spec?.resources?.requests);
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      if (item.type !== 'PersistentVolumeClaim') continue;
      for (const [name, q] of [...parsed(item.min)].sort(([a], [b]) => a.localeCompare(b))) {
        const v = minViolation('PersistentVolumeClaim', name, q, req, new Map());
        if (v) out.push(v);
      }
      for (const [name, q] of [...parsed(item.max)].sort(([a], [b]) => a.localeCompare(b))) {
        const r = req.get(name);
        if (!r) out.push(`maximum ${name} usage per PersistentVolumeClaim is ${q}.  No request is specified`);
        else if (milli(r) > milli(q)) out.push(`maximum ${name} usage per PersistentVolumeClaim is ${q}, but request is ${r}`);
      }
    }
  }
  return out;
}

// The ranges the mutating half read, so the validating half of the same create needs no second list.
const rangesSeen = new WeakMap<KubeObject, LimitRangeLike[]>();

/** Mutating half: defaults for a new pod's containers. */
export async function limitRangerMutate(registry: Registry, plural: string, namespace: string, obj: KubeObject): Promise<void> {
  if (plural !== 'pods') return;
  const ranges = await limitRangesIn(registry, namespace);
  rangesSeen.set(obj, ranges);
  if (ranges.length) applyContainerDefaults(obj as PodLike, ranges);
}

/** Validating half: refuses a new pod or claim outside the namespace's ranges. */
export async function limitRangerValidate(registry: Registry, plural: string, namespace: string, obj: KubeObject): Promise<void> {
  if (plural !== 'pods' && plural !== 'persistentvolumeclaims') return;
  const ranges = rangesSeen.get(obj) ?? await limitRangesIn(registry, namespace);
  rangesSeen.delete(obj);
  if (!ranges.length) return;
  const errs = plural === 'pods' ? podViolations(obj as PodLike, ranges) : claimViolations(obj as ClaimLike, ranges);
  if (!errs.length) return;
  const unique = [...new Set(errs)];
  throw admissionForbidden('', plural, obj, unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`);
}
