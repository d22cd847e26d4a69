// The downward API values a kubelet resolves for env (valueFrom.fieldRef and resourceFieldRef):
// pod fields, the node's and pod's addresses, and a container's requests and limits scaled by a
// divisor and rounded up, with unset limits taken from the node's allocatable.
import type { Container, ObjectFieldSelector, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { parseQuantity, type Quantity } from '../../apimachinery/quantity.js';

/** What the kubelet knows beyond the pod object itself. */
export interface DownwardContext {
  hostIPs: string[];
  podIPs: string[];
  /** The node's allocatable, the default for limits a container does not set. */
  nodeAllocatable?: Record<string, string | number>;
}

/** `k="v"` lines sorted by key, as Kubernetes prints whole label and annotation maps. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
}

const subscript = /^metadata\.(labels|annotations)\['(.*)'\]$/;

export function fieldRefValue(ref: ObjectFieldSelector, pod: Pod, ctx: DownwardContext): string {
  const path = ref.fieldPath;
  const meta = pod.metadata ?? {};
  switch (path) {
    case 'metadata.name': return meta.name ?? '';
    case 'metadata.namespace': return meta.namespace ?? '';
    case 'metadata.uid': return meta.uid ?? '';
    case 'metadata.labels': return formatMap(meta.labels);
    case 'metadata.annotations': return formatMap(meta.annotations);
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP': return ctx.hostIPs[0] ?? '';
    case 'status.hostIPs': return ctx.hostIPs.join(',');
    case 'status.podIP': return ctx.podIPs[0] ?? '';
    case 'status.podIPs': return ctx.podIPs.join(',');
  }
  const m = subscript.exec(path);
  if (m) return (m[1] === 'labels' ? meta.labels : meta.annotations)?.[m[2]] ?? '';
  throw new Error(`unsupported fieldPath: ${path}`);
}

const RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

/** The container's limits with every unset (or zero) cpu/memory/ephemeral-storage limit taken from allocatable. */
export function limitsWithAllocatable(c: Container, allocatable: Record<string, string | number> | undefined): Record<string, string | number> {
  const limits: Record<string, string | number> = { ...(c.resources?.limits ?? {}) };
  for (const r of RESOURCES) {
    const cur = limits[r];
    if ((cur === undefined || parseQuantity(String(cur)).isZero()) && allocatable?.[r] !== undefined) limits[r] = allocatable[r];
  }
  return limits;
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a % b === 0n ? a / b : a / b + (a > 0n === b > 0n ? 1n : 0n));

export function resourceFieldRefValue(ref: ResourceFieldSelector, c: Container, ctx: DownwardContext): string {
  const divisorText = ref.divisor === undefined ? '' : String(ref.divisor);
  const parsed = divisorText === '' ? undefined : parseQuantity(divisorText);
  const divisor: Quantity = parsed && !parsed.isZero() ? parsed : parseQuantity('1');
  const [kind, resource] = ref.resource.split('.', 2) as [string, string | undefined];
  if ((kind !== 'limits' && kind !== 'requests') || !resource || !RESOURCES.includes(resource)) {
    throw new Error(`unsupported container resource : ${ref.resource}`);
  }
  const list = kind === 'limits' ? limitsWithAllocatable(c, ctx.nodeAllocatable) : c.resources?.requests ?? {};
  const raw = list[resource];
  const amount = raw === undefined ? parseQuantity('0') : parseQuantity(String(raw));
  // cpu compares milli-units, memory and storage whole units, each rounded up first.
  const scale = resource === 'cpu' ? -3 : 0;
  const d = divisor.scaledValue(scale);
  if (d === 0n) throw new Error(`invalid divisor ${divisorText} for ${ref.resource}`);
  return String(ceilDiv(amount.scaledValue(scale), d));
}
