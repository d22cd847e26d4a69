// How lists and structs behave under strategic merge patch and server-side apply, field by field.
// kubernetes-types drops Go's struct tags, so this table restores the ones clients depend on
// (`kubectl apply` computes SMP from these extensions). Keyed by definition, then property.
//
//   strategy  x-kubernetes-patch-strategy   ('merge', 'retainKeys', 'merge,retainKeys')
//   key       x-kubernetes-patch-merge-key
//   list      x-kubernetes-list-type        ('atomic' | 'set' | 'map')
//   mapKeys   x-kubernetes-list-map-keys
import { prefixOf } from './names.mjs';

const core = (kind) => `${prefixOf('core/v1')}.${kind}`;
const apps = (kind) => `${prefixOf('apps/v1')}.${kind}`;
const meta = (kind) => `${prefixOf('meta/v1')}.${kind}`;

/** A list merged element-wise by one key field. */
const byKey = (key, mapKeys = [key]) => ({ strategy: 'merge', key, list: 'map', mapKeys });
const atomic = { list: 'atomic' };

// Container and EphemeralContainer share their field semantics.
const containerFields = {
  ports: byKey('containerPort', ['containerPort', 'protocol']),
  env: byKey('name'),
  envFrom: atomic,
  volumeMounts: byKey('mountPath'),
  volumeDevices: byKey('devicePath'),
  resizePolicy: atomic,
  command: atomic,
  args: atomic,
};

export const listSemantics = {
  [core('PodSpec')]: {
    containers: byKey('name'),
    initContainers: byKey('name'),
    ephemeralContainers: byKey('name'),
    volumes: { ...byKey('name'), strategy: 'merge,retainKeys' },
    imagePullSecrets: byKey('name'),
    hostAliases: byKey('ip'),
    topologySpreadConstraints: byKey('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
    schedulingGates: byKey('name'),
    resourceClaims: { ...byKey('name'), strategy: 'merge,retainKeys' },
    // Tolerations have no merge key upstream: a patch replaces the whole list.
    tolerations: atomic,
    readinessGates: atomic,
  },
  [core('Container')]: containerFields,
  [core('EphemeralContainer')]: containerFields,
  [core('PodStatus')]: {
    podIPs: byKey('ip'),
    hostIPs: { strategy: 'merge', key: 'ip', list: 'atomic' },
    containerStatuses: atomic,
    initContainerStatuses: atomic,
    ephemeralContainerStatuses: atomic,
    resourceClaimStatuses: { ...byKey('name'), strategy: 'merge,retainKeys' },
  },
  [core('NodeSpec')]: {
    podCIDRs: { strategy: 'merge', list: 'set' },
    taints: atomic,
  },
  [core('NodeStatus')]: {
    addresses: byKey('type'),
    images: atomic,
    volumesInUse: atomic,
    volumesAttached: atomic,
  },
  [core('ServiceSpec')]: {
    ports: byKey('port', ['port', 'protocol']),
    clusterIPs: atomic,
    externalIPs: atomic,
    ipFamilies: atomic,
  },
  [core('EndpointSubset')]: { addresses: atomic, notReadyAddresses: atomic, ports: atomic },
  [meta('ObjectMeta')]: {
    ownerReferences: byKey('uid'),
    finalizers: { strategy: 'merge', list: 'set' },
    managedFields: atomic,
  },
  [meta('LabelSelector')]: { matchExpressions: atomic },
  [apps('DeploymentSpec')]: { strategy: { strategy: 'retainKeys' } },
  [apps('StatefulSetSpec')]: { volumeClaimTemplates: atomic },
  // Job conditions merge by type under SMP but are atomic for server-side apply.
  [`${prefixOf('batch/v1')}.JobStatus`]: { conditions: { strategy: 'merge', key: 'type', list: 'atomic' } },
};

/** Every `conditions` list in a status merges by `type` unless the table says otherwise. */
export function defaultSemantics(definition, property, schema) {
  if (property === 'conditions' && definition.endsWith('Status') && schema.type === 'array') {
    return byKey('type');
  }
  return undefined;
}
