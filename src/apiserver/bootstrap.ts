// What every cluster starts with.
import type { Clock } from '../apimachinery/clock.js';
import { StatusError } from '../apimachinery/status.js';
import type { Registry } from './registry/registry.js';
import type { KubeObject } from '../apimachinery/object.js';
import { ServiceIPRange } from './registry/strategies/service-allocator.js';
import { SYSTEM_PRIORITY_CLASSES } from '../api/resources/scheduling/priorityclass.js';

export const BUILTIN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const system = { name: 'system:apiserver', groups: ['system:masters'] };

async function createIfMissing(registry: Registry, plural: string, namespace: string | undefined, obj: KubeObject, clock: Clock): Promise<void> {
  const [group, version] = obj.apiVersion!.includes('/') ? obj.apiVersion!.split('/') : ['', obj.apiVersion!];
  const store = registry.lookup(group!, version!, plural);
  if (!store) return;
  try {
    await store.get(namespace, obj.metadata!.name!);
    return;
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 404)) throw e;
  }
  try {
    // The API server's own writes carry its name as their manager, as kube-apiserver's do.
    await store.create(namespace, obj, { user: system, now: clock.now(), dryRun: false, fieldManager: 'kite-apiserver' });
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 409)) throw e;
  }
}

/** The classes Kubernetes reserves for cluster and node critical pods, as kube-apiserver creates them. */
export function systemPriorityClasses(): KubeObject[] {
  return Object.entries(SYSTEM_PRIORITY_CLASSES).map(([name, { value, globalDefault }]) => ({
    apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, globalDefault,
    description: name === 'system-node-critical'
      ? 'Used for system critical pods that must not be moved from their current node.'
      : 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  }));
}

/** The built-in `local-path` StorageClass (the default), served by every node agent's provisioner. */
export const LOCAL_PATH_STORAGE_CLASS = 'local-path';
export const LOCAL_PATH_PROVISIONER = 'kite.io/local-path';

export function localPathStorageClass(): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
    metadata: { name: LOCAL_PATH_STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer',
  } as KubeObject;
}

/** The cluster DNS address every node agent serves; Kubernetes' kube-dns Service name. */
export const DEFAULT_CLUSTER_DNS = '10.43.0.10';
/** Kubernetes' label for Services another proxy serves: the node agents answer kube-dns themselves. */
export const NODE_DNS_PROXY_NAME = 'kite-node-dns';

/**
 * kube-system/kube-dns, holding the cluster DNS address in the service range. It has no selector
 * and no endpoints: every node agent serves DNS on that address itself, so the service proxies
 * leave it alone (`service.kubernetes.io/service-proxy-name`).
 */
export function kubeDnsService(ip: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: {
      name: 'kube-dns', namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'KiteDNS', 'service.kubernetes.io/service-proxy-name': NODE_DNS_PROXY_NAME },
    },
    spec: {
      type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip],
      ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }],
    },
  } as KubeObject;
}

/**
 * The built-in namespaces, the `kubernetes` Service on the first address of the service range,
 * kube-system/kube-dns on the cluster DNS address (unless `clusterDNS` is false), the system
 * PriorityClasses and the `local-path` StorageClass (each created only when absent).
 */
export async function bootstrapCluster(registry: Registry, clock: Clock, apiserverPort: number, clusterDNS: string | false = DEFAULT_CLUSTER_DNS, serviceCIDR?: string): Promise<void> {
  await Promise.all(BUILTIN_NAMESPACES.map((name) =>
    createIfMissing(registry, 'namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, clock)));
  const ip = new ServiceIPRange(serviceCIDR).first();
  await createIfMissing(registry, 'services', 'default', {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiserverPort }] },
  }, clock);
  if (clusterDNS) await createIfMissing(registry, 'services', 'kube-system', kubeDnsService(clusterDNS), clock);
  await Promise.all(systemPriorityClasses().map((pc) => createIfMissing(registry, 'priorityclasses', undefined, pc, clock)));
  await createIfMissing(registry, 'storageclasses', undefined, localPathStorageClass(), clock);
}
