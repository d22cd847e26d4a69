// What an object charges against a ResourceQuota, and which quotas an object falls under. Shared
// by the API server's quota admission and the resource quota controller so both count alike.
import type { KubeObject } from '../../apimachinery/object.js';
import { Quantity, parseQuantity } from '../../apimachinery/quantity.js';
import { ANN_BETA_STORAGE_CLASS } from '../resources/storage/annotations.js';

export type Usage = Map<string, Quantity>;

/** The parts of a ResourceQuota's spec that decide what it counts. */
export interface QuotaSpec {
  hard?: Record<string, string | number>;
  scopes?: string[];
  scopeSelector?: { matchExpressions?: { scopeName: string; operator: string; values?: string[] }[] };
}

/** A resource as quota names it: plural and group (`''` for the core group). */
export interface GroupResource { group: string; plural: string }

/** Core resources whose object count has a name of its own besides `count/<resource>`. */
export const LEGACY_COUNTED = ['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas'];

const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';
const ONE = new Quantity(1_000_000_000n);

export function groupResourceString(gr: GroupResource): string {
  return gr.group ? `${gr.plural}.${gr.group}` : gr.plural;
}

export function countName(gr: GroupResource): string {
  return `count/${groupResourceString(gr)}`;
}

/** The resource whose objects a quota's resource name counts (`requests.cpu` → pods). */
export function resourceCounting(name: string): GroupResource | undefined {
  if (name.startsWith('count/')) {
    const gr = name.slice('count/'.length);
    const dot = gr.indexOf('.');
    return dot < 0 ? { group: '', plural: gr } : { group: gr.slice(dot + 1), plural: gr.slice(0, dot) };
  }
  if (LEGACY_COUNTED.includes(name)) return { group: '', plural: name };
  if (name === 'services.nodeports' || name === 'services.loadbalancers') return { group: '', plural: 'services' };
  if (name === 'requests.storage' || name.includes(STORAGE_CLASS_SUFFIX)) return { group: '', plural: 'persistentvolumeclaims' };
  if (isPodComputeName(name)) return { group: '', plural: 'pods' };
  return undefined;
}

function isPodComputeName(name: string): boolean {
  if (['cpu', 'memory', 'ephemeral-storage'].includes(name)) return true;
  if (name.startsWith('requests.') || name.startsWith('limits.')) return true;
  return name.startsWith('hugepages-');
}

/** The resources to look at to compute the usage of every resource a quota names. */
export function resourcesCountedBy(hard: Record<string, unknown> | undefined): GroupResource[] {
  const seen = new Map<string, GroupResource>();
  for (const name of Object.keys(hard ?? {})) {
    const gr = resourceCounting(name);
    if (gr) seen.set(groupResourceString(gr), gr);
  }
  return [...seen.values()];
}

// ---- pods -------------------------------------------------------------------------------------

interface Resources { requests?: Record<string, string | number>; limits?: Record<string, string | number> }
interface ContainerLike { name?: string; resources?: Resources; restartPolicy?: string }
interface PodLike extends KubeObject {
  spec?: {
    containers?: ContainerLike[]; initContainers?: ContainerLike[]; overhead?: Record<string, string | number>;
    activeDeadlineSeconds?: number | null; priorityClassName?: string;
  };
  status?: { phase?: string };
}

function toUsage(list: Record<string, string | number> | undefined): Usage {
  const u: Usage = new Map();
  for (const [k, v] of Object.entries(list ?? {})) {
    try {
      u.set(k, parseQuantity(String(v).trim()));
    } catch {
      // Stored objects were validated; an unreadable amount counts as nothing.
    }
  }
  return u;
}

export function addUsage(into: Usage, more: Usage): Usage {
  for (const [k, v] of more) {
    const cur = into.get(k);
    into.set(k, cur ? cur.add(v) : v);
  }
  return into;
}

function maxUsage(into: Usage, other: Usage): Usage {
  for (const [k, v] of other) {
    const cur = into.get(k);
    if (!cur || v.cmp(cur) > 0) into.set(k, v);
  }
  return into;
}

/**
 * A pod's effective requests (or limits): its containers and sidecars together, or the largest
 * init container (with the sidecars started before it) if that is more, plus the pod overhead.
 */
export function podResourceList(pod: PodLike, which: 'requests' | 'limits'): Usage {
  const running: Usage = new Map();
  for (const c of pod.spec?.containers ?? []) addUsage(running, toUsage(c.resources?.[which]));
  const sidecars: Usage = new Map();
  const initPeak: Usage = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    const own = toUsage(c.resources?.[which]);
    if (c.restartPolicy === 'Always') {
      addUsage(running, own);
      addUsage(sidecars, own);
    } else {
      maxUsage(initPeak, addUsage(new Map(sidecars), own));
    }
  }
  const result = maxUsage(running, initPeak);
  if (pod.spec?.overhead) addUsage(result, toUsage(pod.spec.overhead));
  return result;
}

/** Whether a pod still holds compute resources: not finished, and not past its deletion grace. */
export function podCountsCompute(pod: PodLike, now: number): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const meta = pod.metadata ?? {};
  if (meta.deletionTimestamp && meta.deletionGracePeriodSeconds != null) {
    const end = Date.parse(meta.deletionTimestamp) + meta.deletionGracePeriodSeconds * 1000;
    if (now > end) return false;
  }
  return true;
}

const NATIVE_PREFIXES = ['hugepages-'];
function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.startsWith('kubernetes.io/') || NATIVE_PREFIXES.some((p) => name.startsWith(p));
}

/** Quota names of a pod's (or one container's) requests and limits. */
export function computeUsage(requests: Usage, limits: Usage): Usage {
  const u: Usage = new Map();
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const req = requests.get(r);
    if (req) { u.set(r, req); u.set(`requests.${r}`, req); }
    const lim = limits.get(r);
    if (lim) u.set(`limits.${r}`, lim);
  }
  for (const [r, q] of requests) {
    if (r.startsWith('hugepages-')) u.set(`requests.${r}`, q);
    else if (!isNativeResource(r)) u.set(`requests.${r}`, q);
  }
  for (const [r, q] of limits) if (r.startsWith('hugepages-')) u.set(`limits.${r}`, q);
  return u;
}

function podUsage(pod: PodLike, now: number): Usage {
  const u: Usage = new Map([['count/pods', ONE]]);
  if (!podCountsCompute(pod, now)) return u;
  u.set('pods', ONE);
  return addUsage(u, computeUsage(podResourceList(pod, 'requests'), podResourceList(pod, 'limits')));
}

/** BestEffort when no container asks for or limits cpu or memory. */
export function isBestEffort(pod: PodLike): boolean {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  return !all.some((c) => ['cpu', 'memory'].some((r) => c.resources?.requests?.[r] !== undefined || c.resources?.limits?.[r] !== undefined));
}

function podMatchesScope(pod: PodLike, scope: string, op: string, values: string[] | undefined): boolean {
  const terminating = pod.spec?.activeDeadlineSeconds != null && pod.spec.activeDeadlineSeconds >= 0;
  switch (scope) {
    case 'Terminating': return terminating;
    case 'NotTerminating': return !terminating;
    case 'BestEffort': return isBestEffort(pod);
    case 'NotBestEffort': return !isBestEffort(pod);
    case 'PriorityClass': {
      const pc = pod.spec?.priorityClassName ?? '';
      if (op === 'Exists') return pc !== '';
      if (op === 'DoesNotExist') return pc === '';
      if (op === 'In') return (values ?? []).includes(pc);
      if (op === 'NotIn') return !(values ?? []).includes(pc);
      return false;
    }
    default: return false;
  }
}

/** Resource names that a scoped quota may track; anything else is outside a scoped quota. */
function podScopedName(name: string): boolean {
  return name === 'pods' || name === 'count/pods' || isPodComputeName(name);
}

// ---- other kinds ------------------------------------------------------------------------------

interface ServiceLike extends KubeObject {
  spec?: { type?: string; ports?: { nodePort?: number }[]; allocateLoadBalancerNodePorts?: boolean };
}

function serviceUsage(svc: ServiceLike): Usage {
  const u: Usage = new Map([['services', ONE], ['count/services', ONE]]);
  const ports = svc.spec?.ports?.length ?? 0;
  const type = svc.spec?.type;
  if (type === 'NodePort') u.set('services.nodeports', new Quantity(BigInt(ports) * ONE.nanos));
  if (type === 'LoadBalancer') {
    u.set('services.loadbalancers', ONE);
    if (svc.spec?.allocateLoadBalancerNodePorts !== false) u.set('services.nodeports', new Quantity(BigInt(ports) * ONE.nanos));
  }
  return u;
}

interface ClaimLike extends KubeObject {
  spec?: { storageClassName?: string; resources?: { requests?: Record<string, string | number> } };
}

function claimUsage(pvc: ClaimLike): Usage {
  const u: Usage = new Map([['persistentvolumeclaims', ONE], ['count/persistentvolumeclaims', ONE]]);
  const storage = toUsage(pvc.spec?.resources?.requests).get('storage');
  if (storage) u.set('requests.storage', storage);
  const cls = pvc.spec?.storageClassName ?? pvc.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (cls) {
    u.set(`${cls}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`, ONE);
    if (storage) u.set(`${cls}${STORAGE_CLASS_SUFFIX}requests.storage`, storage);
  }
  return u;
}

/** Everything an object of resource `gr` charges, under every quota name that applies to it. */
export function objectUsage(gr: GroupResource, obj: KubeObject, now: number): Usage {
  if (!gr.group) {
    if (gr.plural === 'pods') return podUsage(obj as PodLike, now);
    if (gr.plural === 'services') return serviceUsage(obj as ServiceLike);
    if (gr.plural === 'persistentvolumeclaims') return claimUsage(obj as ClaimLike);
  }
  const u: Usage = new Map([[countName(gr), ONE]]);
  if (!gr.group && LEGACY_COUNTED.includes(gr.plural)) u.set(gr.plural, ONE);
  return u;
}

/** The scopes a quota restricts itself to, from `scopes` and `scopeSelector`. */
function quotaScopes(q: QuotaSpec): { scope: string; op: string; values?: string[] }[] {
  return [
    ...(q.scopes ?? []).map((scope) => ({ scope, op: 'Exists' })),
    ...(q.scopeSelector?.matchExpressions ?? []).map((e) => ({ scope: e.scopeName, op: e.operator, values: e.values })),
  ];
}

/** Whether the quota's scopes cover the object (a quota without scopes covers everything). */
export function quotaCoversObject(q: QuotaSpec, gr: GroupResource, obj: KubeObject): boolean {
  const scopes = quotaScopes(q);
  if (!scopes.length) return true;
  // Scopes describe pods; scoped quotas count nothing else.
  if (gr.group || gr.plural !== 'pods') return false;
  return scopes.every((s) => {
    if (s.scope === 'PriorityClass') return podMatchesScope(obj as PodLike, s.scope, s.op, s.values);
    const hit = podMatchesScope(obj as PodLike, s.scope, 'Exists', undefined);
    return s.op === 'DoesNotExist' ? !hit : hit;
  });
}

/** The quota names the object is charged under by this quota: usage ∩ hard, within the scopes. */
export function chargedUsage(q: QuotaSpec, gr: GroupResource, obj: KubeObject, now: number): Usage {
  const out: Usage = new Map();
  if (!quotaCoversObject(q, gr, obj)) return out;
  const scoped = quotaScopes(q).length > 0;
  const hard = q.hard ?? {};
  for (const [k, v] of objectUsage(gr, obj, now)) {
    if (!(k in hard)) continue;
    if (scoped && !podScopedName(k)) continue;
    out.set(k, v);
  }
  return out;
}

/** `used` for a quota: every hard name, summed over the given objects, zero where nothing counts. */
export function quotaUsed(q: QuotaSpec, objects: { gr: GroupResource; items: KubeObject[] }[], now: number): Usage {
  const used: Usage = new Map();
  for (const name of Object.keys(q.hard ?? {})) used.set(name, new Quantity(0n));
  for (const { gr, items } of objects) for (const obj of items) addUsage(used, chargedUsage(q, gr, obj, now));
  return used;
}

/** Resource names and amounts as `a=1,b=2`, sorted by name. */
export function formatUsage(u: Usage): string {
  return [...u.keys()].sort().map((k) => `${k}=${u.get(k)!.toString()}`).join(',');
}

/** The canonical text of a quantity given in an object, or the text as is when it does not parse. */
export function canonical(v: string | number): string {
  try {
    return parseQuantity(String(v).trim()).toString();
  } catch {
    return String(v);
  }
}

/** The compute names a quota constrains that every container must state (cpu and memory only). */
export const CONTAINER_REQUIRED = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory'];

/**
 * Containers missing an amount the quota constrains, as Kubernetes words it:
 * `must specify limits.cpu for: a,b; requests.cpu for: a`. Undefined when nothing is missing.
 */
export function missingContainerAmounts(pod: KubeObject, constrained: string[]): string | undefined {
  const required = constrained.filter((n) => CONTAINER_REQUIRED.includes(n));
  if (!required.length) return undefined;
  const p = pod as PodLike;
  const missing = new Map<string, Set<string>>();
  for (const c of [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])]) {
    const has = computeUsage(toUsage(c.resources?.requests), toUsage(c.resources?.limits));
    for (const r of required) {
      if (has.has(r)) continue;
      if (!missing.has(r)) missing.set(r, new Set());
      missing.get(r)!.add(c.name ?? '');
    }
  }
  if (!missing.size) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}
