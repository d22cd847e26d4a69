// The pod network between nodes: the per-node agent, its backends and the command runners.
export { DEFAULT_BACKEND, DEFAULT_CLUSTER_CIDR, PodNetwork, type PodNetworkOptions } from './agent.js';
export { ROUTE_PROTOCOL, type Backend, type LocalNode } from './backend.js';
export { HostGwBackend } from './hostgw.js';
export { applyMasquerade, masqueradeRuleset, NAT_TABLE, removeMasquerade } from './masquerade.js';
export {
  ANNOTATION_BACKEND_TYPE, ANNOTATION_PUBLIC_IP, ANNOTATION_VTEP_MAC, BACKEND_TYPES, desiredPeers, nodeInternalIP, nodePodCIDR,
  nodePublicIP, peerOf, type BackendType, type Peer,
} from './peers.js';
export { CommandError, execRunner, netnsRunner, type CommandRunner, type RunOptions } from './runner.js';
export { VXLAN_DEVICE, VXLAN_MTU, VXLAN_PORT, VXLAN_VNI, VxlanBackend, vtepMAC } from './vxlan.js';
