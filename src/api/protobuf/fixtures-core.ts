// Realistic objects of the core/v1 kinds for the protobuf round-trip tests: every value
// meaningful (no zero scalars a Go client would not send as JSON), times in their wire precision.
type Obj = Record<string, unknown>;

export function meta(name: string, namespace?: string, extra: Obj = {}): Obj {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    uid: '6f1c2a4e-1d2b-4c3a-9e8f-0a1b2c3d4e5f',
    resourceVersion: '1234',
    generation: 2,
    creationTimestamp: '2025-03-04T05:06:07Z',
    labels: { app: 'web', 'app.kubernetes.io/part-of': 'shop' },
    annotations: { 'kubernetes.io/description': 'a realistic object' },
    managedFields: [{
      manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: '2025-03-04T05:06:07Z',
      fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
    }],
    ...extra,
  };
}

export const podSpec: Obj = {
  volumes: [
    { name: 'config', configMap: { name: 'web-config', items: [{ key: 'nginx.conf', path: 'nginx.conf', mode: 0 }], defaultMode: 420 } },
    { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
    { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }], defaultMode: 420 } },
  ],
  initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['sh', '-c', 'true'] }],
  containers: [{
    name: 'web',
    image: 'nginx:1.27',
    args: ['-g', 'daemon off;'],
    ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP', hostPort: 5353 }],
    env: [
      { name: 'MODE', value: 'production' },
      { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password', optional: false } } },
    ],
    resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    volumeMounts: [{ name: 'config', mountPath: '/etc/nginx', readOnly: true }],
    livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
    lifecycle: { preStop: { exec: { command: ['nginx', '-s', 'quit'] } } },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
    securityContext: { runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
  }],
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 0,
  dnsPolicy: 'ClusterFirst',
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  serviceAccountName: 'web',
  automountServiceAccountToken: false,
  nodeName: 'node-1',
  securityContext: { fsGroup: 2000, runAsGroup: 0 },
  imagePullSecrets: [{ name: 'registry' }],
  affinity: {
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] } },
    podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' } }] },
  },
  schedulerName: 'default-scheduler',
  tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
  priority: 0,
  enableServiceLinks: true,
  preemptionPolicy: 'PreemptLowerPriority',
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }],
  hostAliases: [{ ip: '10.0.0.1', hostnames: ['db.local'] }],
  dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }] },
};

const podStatus: Obj = {
  phase: 'Running',
  conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-03-04T05:06:17Z' }],
  hostIP: '192.168.1.10',
  hostIPs: [{ ip: '192.168.1.10' }],
  podIP: '10.42.0.7',
  podIPs: [{ ip: '10.42.0.7' }],
  startTime: '2025-03-04T05:06:08Z',
  containerStatuses: [{
    name: 'web', ready: true, restartCount: 0, image: 'nginx:1.27', imageID: 'docker.io/library/nginx@sha256:abc',
    containerID: 'containerd://0123', started: true, state: { running: { startedAt: '2025-03-04T05:06:10Z' } },
    lastState: { terminated: { exitCode: 0, reason: 'Completed', startedAt: '2025-03-04T05:00:00Z', finishedAt: '2025-03-04T05:06:00Z' } },
  }],
  qosClass: 'Burstable',
};

export const coreFixtures: Record<string, Obj> = {
  ConfigMap: { metadata: meta('web-config', 'default'), data: { 'nginx.conf': 'events {}\n', empty: '' }, binaryData: { logo: 'iVBORw0KGgo=' }, immutable: false },
  Endpoints: { metadata: meta('web', 'default'), subsets: [{ addresses: [{ ip: '10.42.0.7', nodeName: 'node-1', targetRef: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1' } }], notReadyAddresses: [{ ip: '10.42.0.8' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }] },
  Event: {
    metadata: meta('web-1.17f', 'default'), involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u1', apiVersion: 'v1', resourceVersion: '12', fieldPath: 'spec.containers{web}' },
    reason: 'Pulled', message: 'Container image "nginx:1.27" already present on machine', source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2025-03-04T05:06:09Z', lastTimestamp: '2025-03-04T05:06:09Z', count: 1, type: 'Normal',
    eventTime: '2025-03-04T05:06:09.123456Z', reportingComponent: 'kubelet', reportingInstance: 'node-1',
  },
  LimitRange: { metadata: meta('limits', 'default'), spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { cpu: '10m' }, default: { cpu: '500m' }, defaultRequest: { cpu: '100m' }, maxLimitRequestRatio: { cpu: '10' } }] } },
  Namespace: { metadata: meta('shop'), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active', conditions: [{ type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered', lastTransitionTime: '2025-03-04T05:06:07Z' }] } },
  Node: {
    metadata: meta('node-1'),
    spec: { podCIDR: '10.42.0.0/24', podCIDRs: ['10.42.0.0/24'], taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule', timeAdded: '2025-03-04T05:06:07Z' }], unschedulable: true },
    status: {
      capacity: { cpu: '2', memory: '4026512Ki', pods: '110' }, allocatable: { cpu: '2', memory: '3924112Ki', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2025-03-04T05:10:00Z', lastTransitionTime: '2025-03-04T05:06:07Z', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      addresses: [{ type: 'InternalIP', address: '192.168.1.10' }, { type: 'Hostname', address: 'node-1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: { machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: '6.1.0', osImage: 'Debian', containerRuntimeVersion: 'containerd://1.7', kubeletVersion: 'v1.32.0', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64' },
      images: [{ names: ['nginx:1.27'], sizeBytes: 72000000 }],
    },
  },
  PersistentVolumeClaim: { metadata: meta('data', 'default'), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '', volumeMode: 'Filesystem', volumeName: 'pv-1' }, status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } },
  PersistentVolume: { metadata: meta('pv-1'), spec: { capacity: { storage: '1Gi' }, hostPath: { path: '/data/pv-1', type: 'DirectoryOrCreate' }, accessModes: ['ReadWriteOnce'], claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data' }, persistentVolumeReclaimPolicy: 'Retain', storageClassName: 'local' }, status: { phase: 'Bound', lastPhaseTransitionTime: '2025-03-04T05:06:07Z' } },
  Pod: { metadata: meta('web-1', 'default', { generateName: 'web-', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d4', uid: 'u2', controller: true, blockOwnerDeletion: true }] }), spec: podSpec, status: podStatus },
  PodTemplate: { metadata: meta('tpl', 'default'), template: { metadata: { labels: { app: 'web' } }, spec: podSpec } },
  ReplicationController: { metadata: meta('rc', 'default'), spec: { replicas: 0, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec } }, status: { replicas: 2, readyReplicas: 1, observedGeneration: 2 } },
  ResourceQuota: { metadata: meta('quota', 'default'), spec: { hard: { pods: '10', 'requests.cpu': '4' }, scopes: ['NotTerminating'] }, status: { hard: { pods: '10' }, used: { pods: '3' } } },
  Secret: { metadata: meta('db', 'default'), data: { password: 'czNjcjN0', empty: '' }, stringData: undefined, type: 'Opaque', immutable: true },
  ServiceAccount: { metadata: meta('web', 'default'), secrets: [{ name: 'web-token' }], imagePullSecrets: [{ name: 'registry' }], automountServiceAccountToken: false },
  Service: {
    metadata: meta('web', 'default'),
    spec: {
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 }, { name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353, appProtocol: 'dns' }],
      selector: { app: 'web' }, clusterIP: '10.43.0.20', clusterIPs: ['10.43.0.20'], type: 'NodePort', sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } }, externalTrafficPolicy: 'Local', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: false,
    },
    status: { loadBalancer: { ingress: [{ ip: '192.168.1.200', ports: [{ port: 80, protocol: 'TCP' }] }] } },
  },
};
delete (coreFixtures.Secret as Obj).stringData;
