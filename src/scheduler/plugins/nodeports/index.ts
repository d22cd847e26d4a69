// NodePorts: a pod's hostPorts must be free on the node. A port bound on 0.0.0.0 conflicts with
// the same port and protocol on any address, and any address conflicts with 0.0.0.0.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ClusterEvent, EnqueueExtensions, FilterPlugin, PluginFactory, PreFilterPlugin, PreFilterResult } from '../../framework/interface.js';
import { podHostPorts } from '../../framework/nodeinfo.js';
import { Status } from '../../framework/status.js';
import type { CycleState, HostPort, NodeInfo } from '../../framework/types.js';

export const NAME = 'NodePorts';
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";

const PRE_FILTER_KEY = `PreFilter${NAME}`;
const WILDCARD = '0.0.0.0';

function normalize(p: HostPort): HostPort {
  return { ip: p.ip || WILDCARD, protocol: p.protocol || 'TCP', port: p.port };
}

export function portsConflict(a: HostPort, b: HostPort): boolean {
  const x = normalize(a);
  const y = normalize(b);
  if (x.port !== y.port || x.protocol !== y.protocol) return false;
  return x.ip === WILDCARD || y.ip === WILDCARD || x.ip === y.ip;
}

export function fitsPorts(wanted: HostPort[], used: HostPort[]): boolean {
  return !wanted.some((w) => used.some((u) => portsConflict(w, u)));
}

export class NodePorts implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  preFilter(state: CycleState, pod: Pod, _nodes: NodeInfo[]): { result?: PreFilterResult; status: Status } {
    const ports = podHostPorts(pod);
    if (ports.length === 0) return { status: Status.skip() };
    state.write(PRE_FILTER_KEY, ports);
    return { status: Status.success() };
  }

  filter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    const wanted = state.read<HostPort[]>(PRE_FILTER_KEY) ?? podHostPorts(pod);
    return fitsPorts(wanted, node.usedPorts) ? Status.success() : Status.unschedulable(ERR_REASON);
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      { resource: 'Pod', action: 'Delete' },
      { resource: 'Node', action: 'Add' },
      { resource: 'Node', action: 'Update' },
    ];
  }
}

export const newNodePorts: PluginFactory = () => new NodePorts();
