// The node agent: the Kubelet and the parts it composes.
export { Kubelet, DEFAULT_CLUSTER_DNS, DEFAULT_POD_CIDR, type KubeletOptions } from './kubelet.js';
export { agentPaths, podDir, podLogDir, containerLogPath, PAUSE_IMAGE, BUSYBOX_IMAGE, HTTPD_IMAGE, type AgentPaths } from './paths.js';
export * from './runtime/index.js';
export * from './workers/index.js';
