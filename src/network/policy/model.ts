// The plain model the ruleset is computed from: running pods with their addresses, labels and
// named ports; namespaces with their labels; NetworkPolicies with Kubernetes' defaults applied.
// Converting API objects into it is the only place that knows their shapes.
import type { Namespace, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import type { LabelSelectorSpec } from '../../apimachinery/labels.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export interface NamedPort {
  name: string;
  port: number;
  protocol: Protocol;
}

export interface PodInfo {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ip: string;
  nodeName: string;
  hostNetwork: boolean;
  /** Container ports that carry a name (what a policy's named port resolves against). */
  ports: NamedPort[];
}

export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
}

export interface PeerSpec {
  podSelector?: LabelSelectorSpec | null;
  namespaceSelector?: LabelSelectorSpec | null;
  ipBlock?: { cidr: string; except?: string[] | null } | null;
}

export interface PortSpec {
  protocol?: string | null;
  port?: number | string | null;
  endPort?: number | null;
}

/** One ingress rule (`from`) or egress rule (`to`): peers absent or empty mean every peer. */
export interface RuleSpec {
  peers?: PeerSpec[] | null;
  ports?: PortSpec[] | null;
}

export interface PolicyInfo {
  namespace: string;
  name: string;
  podSelector: LabelSelectorSpec;
  /** policyTypes after defaulting. */
  ingressIsolation: boolean;
  egressIsolation: boolean;
  ingress: RuleSpec[];
  egress: RuleSpec[];
}

export interface PolicyModel {
  /** Pods on this node are the ones whose traffic is enforced here. */
  nodeName: string;
  pods: PodInfo[];
  namespaces: NamespaceInfo[];
  policies: PolicyInfo[];
}

export type Direction = 'ingress' | 'egress';

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Only running pods with an address take part, as targets or as peers. */
export function podInfo(pod: Pod): PodInfo | undefined {
  const m = pod.metadata ?? {};
  const ip = pod.status?.podIP;
  if (!m.name || !ip || pod.status?.phase !== 'Running') return undefined;
  const ports: NamedPort[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      const protocol = (p.protocol ?? 'TCP') as Protocol;
      if (p.name && PROTOCOLS.includes(protocol)) ports.push({ name: p.name, port: p.containerPort, protocol });
    }
  }
  return {
    namespace: m.namespace ?? 'default', name: m.name, labels: { ...(m.labels ?? {}) }, ip,
    nodeName: pod.spec?.nodeName ?? '', hostNetwork: pod.spec?.hostNetwork === true, ports,
  };
}

/** The API server labels every namespace with its name; older objects may lack the label. */
export function namespaceInfo(ns: Namespace): NamespaceInfo | undefined {
  const name = ns.metadata?.name;
  if (!name) return undefined;
  return { name, labels: { ...(ns.metadata?.labels ?? {}), [NAMESPACE_NAME_LABEL]: name } };
}

const peer = (p: NetworkPolicyPeer): PeerSpec => ({ podSelector: p.podSelector, namespaceSelector: p.namespaceSelector, ipBlock: p.ipBlock });
const port = (p: NetworkPolicyPort): PortSpec => ({ protocol: p.protocol, port: p.port, endPort: p.endPort });

/**
 * Kubernetes' defaulting of policyTypes: Ingress always, Egress when the policy has egress rules.
 * A missing podSelector selects every pod of the namespace.
 */
export function policyInfo(np: NetworkPolicy): PolicyInfo | undefined {
  const m = np.metadata ?? {};
  if (!m.name) return undefined;
  const spec = np.spec ?? { podSelector: {} };
  const egress = spec.egress ?? [];
  const types = spec.policyTypes && spec.policyTypes.length > 0 ? spec.policyTypes : ['Ingress', ...(egress.length > 0 ? ['Egress'] : [])];
  return {
    namespace: m.namespace ?? 'default', name: m.name, podSelector: spec.podSelector ?? {},
    ingressIsolation: types.includes('Ingress'), egressIsolation: types.includes('Egress'),
    ingress: (spec.ingress ?? []).map((r) => ({ peers: r.from?.map(peer), ports: r.ports?.map(port) })),
    egress: egress.map((r) => ({ peers: r.to?.map(peer), ports: r.ports?.map(port) })),
  };
}
