// Realistic objects of the kinds outside core/v1 for the protobuf round-trip tests.
import { meta, podSpec } from './fixtures-core.js';

type Obj = Record<string, unknown>;
const template = { metadata: { labels: { app: 'web' } }, spec: podSpec };
const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['cache'] }] };
const condition = (type: string) => ({ type, status: 'True', lastTransitionTime: '2025-03-04T05:06:07Z', reason: 'Ready', message: `${type} is fine` });
const webhook = {
  name: 'check.example.com', clientConfig: { service: { namespace: 'hooks', name: 'checker', path: '/check', port: 8443 }, caBundle: 'LS0tLS1CRUdJTg==' },
  rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }],
  failurePolicy: 'Fail', namespaceSelector: { matchLabels: { hooks: 'on' } }, objectSelector: { matchLabels: { app: 'web' } },
  sideEffects: 'None', timeoutSeconds: 5, admissionReviewVersions: ['v1'], matchPolicy: 'Equivalent',
  matchConditions: [{ name: 'not-system', expression: "!request.userInfo.username.startsWith('system:')" }],
};

export const groupFixtures: Record<string, Obj> = {
  Deployment: {
    metadata: meta('web', 'default'),
    spec: { replicas: 0, selector, template, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } }, minReadySeconds: 5, revisionHistoryLimit: 0, progressDeadlineSeconds: 600 },
    status: { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 1, conditions: [{ ...condition('Available'), lastUpdateTime: '2025-03-04T05:06:07Z' }], collisionCount: 0 },
  },
  ReplicaSet: { metadata: meta('web-5d4', 'default'), spec: { replicas: 3, minReadySeconds: 1, selector, template }, status: { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 2 } },
  StatefulSet: {
    metadata: meta('db', 'default'),
    spec: {
      replicas: 3, selector, template, serviceName: 'db', podManagementPolicy: 'Parallel',
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' }, ordinals: { start: 1 },
    },
    status: { replicas: 3, readyReplicas: 3, currentRevision: 'db-7c', updateRevision: 'db-7c', observedGeneration: 2, availableReplicas: 3 },
  },
  DaemonSet: {
    metadata: meta('agent', 'kube-system'),
    spec: { selector, template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 },
    status: { currentNumberScheduled: 2, desiredNumberScheduled: 2, numberReady: 2, observedGeneration: 1, updatedNumberScheduled: 2, numberAvailable: 2 },
  },
  ControllerRevision: { metadata: meta('web-7c', 'default'), data: { spec: { template: { metadata: { labels: { app: 'web' } } } } }, revision: 3 },
  EventsEvent: {
    metadata: meta('web-1.17f', 'default'), eventTime: '2025-03-04T05:06:09.123456Z', series: { count: 3, lastObservedTime: '2025-03-04T05:07:09.000001Z' },
    reportingController: 'kubelet', reportingInstance: 'node-1', action: 'Pulling', reason: 'Pulled', regarding: { kind: 'Pod', namespace: 'default', name: 'web-1' },
    note: 'pulled', type: 'Normal', deprecatedSource: { component: 'kubelet' }, deprecatedCount: 3,
  },
  Job: {
    metadata: meta('backup', 'default'),
    spec: {
      parallelism: 1, completions: 1, activeDeadlineSeconds: 600, backoffLimit: 0, ttlSecondsAfterFinished: 0, manualSelector: false, suspend: false, completionMode: 'NonIndexed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u3' } }, template: { ...template, spec: { ...podSpec, restartPolicy: 'Never' } },
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] },
    },
    status: { startTime: '2025-03-04T05:06:07Z', completionTime: '2025-03-04T05:07:07Z', active: 1, succeeded: 1, failed: 2, ready: 0, conditions: [{ ...condition('Complete'), lastProbeTime: '2025-03-04T05:07:07Z' }], uncountedTerminatedPods: { succeeded: ['u9'] } },
  },
  CronJob: {
    metadata: meta('nightly', 'default'),
    spec: { schedule: '0 3 * * *', timeZone: 'Etc/UTC', startingDeadlineSeconds: 0, concurrencyPolicy: 'Forbid', suspend: false, successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 1, jobTemplate: { metadata: { labels: { job: 'nightly' } }, spec: { backoffLimit: 2, template: { spec: { ...podSpec, restartPolicy: 'OnFailure' } } } } },
    status: { active: [{ kind: 'Job', namespace: 'default', name: 'nightly-1', uid: 'u4', apiVersion: 'batch/v1', resourceVersion: '77' }], lastScheduleTime: '2025-03-04T03:00:00Z', lastSuccessfulTime: '2025-03-04T03:01:00Z' },
  },
  PodDisruptionBudget: {
    metadata: meta('web', 'default'), spec: { minAvailable: 0, selector, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    status: { observedGeneration: 2, disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptedPods: { 'web-1': '2025-03-04T05:06:07Z' }, conditions: [{ ...condition('DisruptionAllowed'), observedGeneration: 2 }] },
  },
  Role: { metadata: meta('reader', 'default'), rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'pods/log'], resourceNames: ['web-1'] }] },
  RoleBinding: { metadata: meta('reader', 'default'), subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'default' }, { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' } },
  ClusterRole: { metadata: meta('aggregate'), rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }], aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate': 'true' } }] } },
  ClusterRoleBinding: { metadata: meta('admins'), subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'admins' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' } },
  StorageClass: { metadata: meta('local'), provisioner: 'rancher.io/local-path', parameters: { path: '/data' }, reclaimPolicy: 'Delete', mountOptions: ['noatime'], allowVolumeExpansion: false, volumeBindingMode: 'WaitForFirstConsumer', allowedTopologies: [{ matchLabelExpressions: [{ key: 'zone', values: ['a'] }] }] },
  MutatingWebhookConfiguration: { metadata: meta('mutate'), webhooks: [{ ...webhook, reinvocationPolicy: 'IfNeeded' }] },
  ValidatingWebhookConfiguration: { metadata: meta('validate'), webhooks: [{ ...webhook, clientConfig: { url: 'https://hooks.example.com/check' } }] },
  PriorityClass: { metadata: meta('high'), value: 0, globalDefault: true, description: 'zero is a value', preemptionPolicy: 'Never' },
  Lease: { metadata: meta('kube-scheduler', 'kube-system'), spec: { holderIdentity: 'node-1_abc', leaseDurationSeconds: 15, acquireTime: '2025-03-04T05:06:07.000000Z', renewTime: '2025-03-04T05:10:07.123456Z', leaseTransitions: 0 } },
  EndpointSlice: {
    metadata: meta('web-abc', 'default'), addressType: 'IPv4',
    endpoints: [{ addresses: ['10.42.0.7'], conditions: { ready: false, serving: true, terminating: false }, hostname: 'web-1', targetRef: { kind: 'Pod', name: 'web-1', namespace: 'default' }, nodeName: 'node-1', zone: 'a', hints: { forZones: [{ name: 'a' }] } }],
    ports: [{ name: '', protocol: 'TCP', port: 80, appProtocol: 'http' }],
  },
  NetworkPolicy: {
    metadata: meta('deny', 'default'),
    spec: {
      podSelector: selector, policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { role: 'front' } }, namespaceSelector: { matchLabels: { team: 'a' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 'http' }, { protocol: 'TCP', port: 8000, endPort: 9000 }] }],
      egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 53 }] }],
    },
  },
  IngressClass: { metadata: meta('nginx'), spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external', scope: 'Namespace', namespace: 'ingress' } } },
  Ingress: {
    metadata: meta('web', 'default'),
    spec: {
      ingressClassName: 'nginx', defaultBackend: { service: { name: 'web', port: { number: 80 } } }, tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
      rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }, { path: '/static', pathType: 'Exact', backend: { resource: { apiGroup: 'k8s.example.com', kind: 'Bucket', name: 'static' } } }] } }],
    },
    status: { loadBalancer: { ingress: [{ ip: '192.168.1.200', ports: [{ port: 443, protocol: 'TCP', error: 'Pending' }] }] } },
  },
  SelfSubjectAccessReview: {
    metadata: {}, spec: { resourceAttributes: { namespace: 'default', verb: 'get', group: 'apps', version: 'v1', resource: 'deployments', subresource: 'scale', name: 'web' } },
    status: { allowed: true, reason: 'no authorization layer' },
  },
  SelfSubjectRulesReview: {
    metadata: {}, spec: { namespace: 'default' },
    status: { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false },
  },
  SelfSubjectReview: { metadata: {}, status: { userInfo: { username: 'admin', uid: 'u5', groups: ['system:masters', 'system:authenticated'], extra: { scopes: ['view'] } } } },
  CustomResourceDefinition: {
    metadata: meta('widgets.example.com'),
    spec: {
      group: 'example.com', scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wd'], categories: ['all'] },
      versions: [{
        name: 'v1', served: true, storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object', description: 'A widget.',
            required: ['spec'],
            properties: {
              spec: {
                type: 'object',
                properties: {
                  size: { type: 'string', enum: ['small', 'large'], default: 'small' },
                  replicas: { type: 'integer', format: 'int32', minimum: 0, maximum: 10, default: 0 },
                  enabled: { type: 'boolean', default: false },
                  ports: { type: 'array', items: { type: 'integer' }, 'x-kubernetes-list-type': 'set', maxItems: 4 },
                  tuple: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] },
                  labels: { type: 'object', additionalProperties: { type: 'string' } },
                  open: { type: 'object', additionalProperties: true, 'x-kubernetes-preserve-unknown-fields': true },
                  port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
                  needs: { type: 'object', dependencies: { a: ['b'], c: { required: ['d'] } } },
                },
                'x-kubernetes-validations': [{ rule: 'self.replicas <= 10', message: 'too many' }],
              },
              status: { type: 'object', properties: { phase: { type: 'string', pattern: '^[A-Z]' } } },
            },
          },
        },
        subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
        additionalPrinterColumns: [{ name: 'Size', type: 'string', jsonPath: '.spec.size', priority: 1 }],
      }],
    },
    status: {
      conditions: [{ type: 'Established', status: 'True', lastTransitionTime: '2025-03-04T05:06:07Z', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }],
      acceptedNames: { plural: 'widgets', kind: 'Widget' }, storedVersions: ['v1'],
    },
  },
};
