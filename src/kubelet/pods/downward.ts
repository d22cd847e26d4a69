// The downward API values a kubelet resolves for env (valueFrom.fieldRef and resourceFieldRef) and
// for downwardAPI volume files: pod fields, the node's and pod's addresses, and a container's
// requests and limits scaled by a divisor and rounded up, with unset limits taken from the node's
// allocatable.
import type { Container, ObjectFieldSelector, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { parseQuantity, type Quantity } from '../../apimachinery/quantity.js';

/** What the kubelet knows beyond the pod object itself. */
export interface DownwardContext {
  hostIPs: string[];
  podIPs: string[];
  /** The node's allocatable, the default for limits a container does not set. */
  nodeAllocatable?: Record<string, string | number>;
}

const printable = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

/** A string quoted the way Go's `%q` (strconv.Quote) quotes it. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === ' ' || (cp > 0x20 && cp < 0x7f)) out += ch;
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (printable.test(ch)) out += ch;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** `key="value"` lines sorted by key (values quoted as Go's `%q`), as Kubernetes prints whole label and annotation maps. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${goQuote(m![k]!)}`).join('\n');
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
  const dot = ref.resource.indexOf('.');
  const kind = ref.resource.slice(0, dot);
  const resource = dot < 0 ? '' : ref.resource.slice(dot + 1);
  const known = RESOURCES.includes(resource) || (resource.startsWith('hugepages-') && resource.length > 'hugepages-'.length);
  if ((kind !== 'limits' && kind !== 'requests') || !known) {
    throw new Error(`unsupported container resource : ${ref.resource}`);
  }
  const list = kind === 'limits' ? limitsWithAllocatable(c, ctx.nodeAllocatable) : c.resources?.requests ?? {};
  const raw = list[resource];
  const amount = raw === undefined ? parseQuantity('0') : parseQuantity(String(raw));
  // cpu compares milli-units, memory, storage and huge pages whole units, each rounded up first.
  const scale = resource === 'cpu' ? -3 : 0;
  const d = divisor.scaledValue(scale);
  if (d === 0n) throw new Error(`invalid divisor ${divisorText} for ${ref.resource}`);
  return String(ceilDiv(amount.scaledValue(scale), d));
}
