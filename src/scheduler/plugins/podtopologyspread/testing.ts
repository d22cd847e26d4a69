// Fixture builders for this plugin's tests: nodes with hostname labels, pods, constraints, snapshots.
import type { Node, Pod, PodSpec, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { newNodeInfo } from '../../framework/nodeinfo.js';
import type { NodeInfo, NodeInfoLister } from '../../framework/types.js';

export const HOST = 'kubernetes.io/hostname';
export const ZONE = 'topology.kubernetes.io/zone';

export function node(name: string, labels: Record<string, string> = {}, spec: Node['spec'] = {}): Node {
  return { metadata: { name, labels: { [HOST]: name, ...labels } }, spec };
}

export function pod(name: string, o: { ns?: string; labels?: Record<string, string>; node?: string; spec?: Partial<PodSpec> } = {}): Pod {
  return {
    metadata: { name, namespace: o.ns ?? 'default', uid: `uid-${o.ns ?? 'default'}-${name}`, labels: o.labels ?? {} },
    spec: { containers: [{ name: 'c' }], nodeName: o.node, ...o.spec },
  };
}

export function constraint(key: string, maxSkew: number, matchLabels: Record<string, string>, extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint {
  return { topologyKey: key, maxSkew, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels }, ...extra };
}

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

/** `count` pods labelled `labels` on `nodeName`. */
export function pods(prefix: string, nodeName: string, count: number, labels: Record<string, string>): Pod[] {
  return Array.from({ length: count }, (_, i) => pod(`${prefix}-${i}`, { node: nodeName, labels }));
}
