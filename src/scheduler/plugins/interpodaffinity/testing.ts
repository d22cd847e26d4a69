// Fixture builders for this plugin's tests: nodes with hostname labels, pods, terms, snapshots.
import type { Affinity, Node, Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { newNodeInfo } from '../../framework/nodeinfo.js';
import type { NodeInfo, NodeInfoLister } from '../../framework/types.js';

export const HOST = 'kubernetes.io/hostname';
export const ZONE = 'topology.kubernetes.io/zone';

export function node(name: string, labels: Record<string, string> = {}): Node {
  return { metadata: { name, labels: { [HOST]: name, ...labels } } };
}

export function pod(name: string, o: { ns?: string; labels?: Record<string, string>; node?: string; affinity?: Affinity } = {}): Pod {
  return {
    metadata: { name, namespace: o.ns ?? 'default', uid: `uid-${o.ns ?? 'default'}-${name}`, labels: o.labels ?? {} },
    spec: { containers: [{ name: 'c' }], nodeName: o.node, affinity: o.affinity },
  };
}

export function term(key: string, matchLabels: Record<string, string>, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm {
  return { topologyKey: key, labelSelector: { matchLabels }, ...extra };
}

export const affinity = (...t: PodAffinityTerm[]): Affinity => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: t } });
export const antiAffinity = (...t: PodAffinityTerm[]): Affinity => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: t } });

export function snapshot(nodes: Node[], pods: Pod[]): NodeInfo[] {
  return nodes.map((n) => newNodeInfo(n, pods.filter((p) => p.spec?.nodeName === n.metadata?.name)));
}

export function lister(infos: NodeInfo[]): NodeInfoLister {
  return {
    list: () => infos,
    get: (name) => infos.find((i) => i.name === name),
    havePodsWithAffinity: () => infos.filter((i) => i.podsWithAffinity.length > 0),
    havePodsWithRequiredAntiAffinity: () => infos.filter((i) => i.podsWithRequiredAntiAffinity.length > 0),
  };
}

