// The downward API's values: pod fields (`fieldRef`) and container resources
// (`resourceFieldRef` with a divisor), formatted as the kubelet formats them.
import type { Container, ObjectFieldSelector, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { parseQuantity, type Quantity } from '../../apimachinery/quantity.js';

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

/** Labels or annotations as the downward API writes them: `key="value"` lines, keys sorted. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(m![k]!)}`)
    .join('\n');
}

const subscripted = /^metadata\.(labels|annotations)\['(.+)'\]$/;

/** The value of a `fieldRef` path for this pod. */
export function fieldRefValue(pod: Pod, ref: ObjectFieldSelector): string {
  const path = ref.fieldPath;
  const meta = pod.metadata ?? {};
  const sub = subscripted.exec(path);
  if (sub) return (sub[1] === 'labels' ? meta.labels : meta.annotations)?.[sub[2]!] ?? '';
  switch (path) {
    case 'metadata.name': return meta.name ?? '';
    case 'metadata.namespace': return meta.namespace ?? '';
    case 'metadata.uid': return meta.uid ?? '';
    case 'metadata.labels': return formatMap(meta.labels);
    case 'metadata.annotations': return formatMap(meta.annotations);
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP': return pod.status?.hostIP ?? '';
    case 'status.podIP': return pod.status?.podIP ?? '';
    default: throw new Error(`unsupported fieldPath: ${path}`);
  }
}

/** Node allocatable by resource name, used for limits a container leaves unset. */
export type Allocatable = Record<string, string | number>;

function findContainer(pod: Pod, name: string | undefined): Container {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const c = name ? all.find((x) => x.name === name) : all.length === 1 ? all[0] : undefined;
  if (!c) throw new Error(`container ${JSON.stringify(name ?? '')} not found in pod ${pod.metadata?.namespace}/${pod.metadata?.name}`);
  return c;
}

function q(v: string | number | undefined): Quantity | undefined {
  return v === undefined ? undefined : parseQuantity(String(v));
}

/**
 * The value of a `resourceFieldRef`: the container's limit (the node's allocatable when unset) or
 * request, divided by the divisor (default 1) and rounded up; cpu in millicores for the division.
 */
export function resourceFieldValue(pod: Pod, ref: ResourceFieldSelector, allocatable: Allocatable = {}): string {
  const c = findContainer(pod, ref.containerName);
  const [kind, ...rest] = ref.resource.split('.');
  const resource = rest.join('.');
  if ((kind !== 'limits' && kind !== 'requests') || !resource) throw new Error(`unsupported container resource: ${ref.resource}`);
  let value: Quantity | undefined;
  if (kind === 'limits') value = q(c.resources?.limits?.[resource]) ?? q(allocatable[resource]);
  else value = q(c.resources?.requests?.[resource]);
  value ??= parseQuantity('0');
  let divisor = q(ref.divisor);
  if (!divisor || divisor.isZero()) divisor = parseQuantity('1');
  if (resource === 'cpu') return String(Math.ceil(value.milliValue() / divisor.milliValue()));
  if (resource === 'memory' || resource === 'ephemeral-storage' || resource.startsWith('hugepages-')) {
    return String(Math.ceil(value.value() / divisor.value()));
  }
  throw new Error(`unsupported container resource: ${ref.resource}`);
}
