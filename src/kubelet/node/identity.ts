// Who the node is: its default labels, addresses and nodeInfo, from the host's facts.
import type { NodeAddress, NodeSystemInfo } from 'kubernetes-types/core/v1.js';
import type { HostFacts } from './host.js';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_OS = 'kubernetes.io/os';
export const LABEL_ARCH = 'kubernetes.io/arch';
export const LABEL_BETA_OS = 'beta.kubernetes.io/os';
export const LABEL_BETA_ARCH = 'beta.kubernetes.io/arch';

/** The labels the kubelet sets itself and keeps current on re-registration. */
export function defaultNodeLabels(hostname: string, architecture: string): Record<string, string> {
  return {
    [LABEL_HOSTNAME]: hostname,
    [LABEL_OS]: 'linux',
    [LABEL_ARCH]: architecture,
    [LABEL_BETA_OS]: 'linux',
    [LABEL_BETA_ARCH]: architecture,
  };
}

/** InternalIP (the given node IP, else the host's first IPv4), then Hostname. */
export function nodeAddresses(hostname: string, nodeIP: string | undefined, facts: Pick<HostFacts, 'defaultIPv4'>): NodeAddress[] {
  const ip = nodeIP ?? facts.defaultIPv4;
  return [...(ip ? [{ type: 'InternalIP', address: ip }] : []), { type: 'Hostname', address: hostname }];
}

export interface Versions {
  /** e.g. "containerd://1.6.20"; empty until the runtime has answered. */
  containerRuntimeVersion: string;
  kubeletVersion: string;
}

export function nodeSystemInfo(facts: HostFacts, versions: Versions): NodeSystemInfo {
  return {
    machineID: facts.machineID,
    systemUUID: facts.systemUUID,
    bootID: facts.bootID,
    kernelVersion: facts.kernelVersion,
    osImage: facts.osImage,
    containerRuntimeVersion: versions.containerRuntimeVersion,
    kubeletVersion: versions.kubeletVersion,
    kubeProxyVersion: versions.kubeletVersion,
    operatingSystem: 'linux',
    architecture: facts.architecture,
  };
}
