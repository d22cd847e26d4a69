// The CRI PodSandboxConfig of a pod, as the kubelet builds it: identity, hostname, log directory,
// DNS, host ports, labels and annotations, and the Linux side (cgroup parent per QoS class,
// namespaces, users, sysctls, overhead and the pod's resources).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodSandboxConfig, PortMapping, Protocol } from '../cri/types.js';
import { podLogDir, type AgentPaths } from '../paths.js';
import { podDNSConfig, podHostname, type ClusterDNS } from './dns.js';
import { sandboxLabels } from './labels.js';
import { linuxResources, podCgroupParent, podResources } from './resources.js';
import { sandboxSecurityContext } from './security.js';

export interface SandboxOptions {
  paths: AgentPaths;
  dns: ClusterDNS;
  /** The sandbox attempt (0 for the first). */
  attempt: number;
  /** Root of the pods' cgroups (cgroupfs driver). */
  cgroupRoot?: string;
}

export function portMappings(pod: Pod): PortMapping[] {
  const seen = new Set<string>();
  const out: PortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      const m: PortMapping = { protocol: (p.protocol ?? 'TCP') as Protocol, containerPort: p.containerPort, hostPort: p.hostPort ?? 0, hostIp: p.hostIP ?? '' };
      const key = JSON.stringify(m);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(m);
    }
  }
  return out;
}

export function podSandboxConfig(pod: Pod, opts: SandboxOptions): PodSandboxConfig {
  const meta = pod.metadata ?? {};
  const name = meta.name ?? '';
  const namespace = meta.namespace ?? 'default';
  const uid = meta.uid ?? '';
  const overhead = pod.spec?.overhead;
  const sysctls: Record<string, string> = {};
  for (const s of pod.spec?.securityContext?.sysctls ?? []) sysctls[s.name] = s.value;
  return {
    metadata: { name, uid, namespace, attempt: opts.attempt },
    // A host-network pod keeps the node's hostname.
    hostname: pod.spec?.hostNetwork ? '' : podHostname(pod),
    logDirectory: podLogDir(opts.paths, namespace, name, uid),
    dnsConfig: podDNSConfig(pod, opts.dns),
    portMappings: portMappings(pod),
    labels: sandboxLabels(pod),
    annotations: { ...(meta.annotations ?? {}) },
    linux: {
      cgroupParent: podCgroupParent(pod, opts.cgroupRoot),
      securityContext: sandboxSecurityContext(pod),
      sysctls,
      overhead: overhead ? linuxResources({ requests: overhead, limits: overhead }) : null,
      resources: linuxResources(podResources(pod)),
    },
  };
}
