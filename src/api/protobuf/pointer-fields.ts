// Optional fields whose zero value means something other than "absent". Go's protobuf marshaller
// writes every non-pointer scalar, zero or not, while JSON would omit it; the decoder therefore
// drops zero scalars of optional fields, except these: Go pointer fields (k8s.io/api types.go),
// which are written only when set, so a zero on the wire is a zero the client meant
// (`replicas: 0`, `minAvailable: 0`, `automountServiceAccountToken: false`, `storageClassName: ""`).
const core = 'io.k8s.api.core.v1';
const apps = 'io.k8s.api.apps.v1';
const batch = 'io.k8s.api.batch.v1';
const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const ext = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';

const table: Record<string, string[]> = {
  // Workloads: replica counts, history limits and rollout bounds are *int32 / *IntOrString.
  [`${apps}.DeploymentSpec`]: ['replicas', 'revisionHistoryLimit', 'progressDeadlineSeconds'],
  [`${apps}.RollingUpdateDeployment`]: ['maxSurge', 'maxUnavailable'],
  [`${apps}.ReplicaSetSpec`]: ['replicas'],
  [`${apps}.StatefulSetSpec`]: ['replicas', 'revisionHistoryLimit'],
  [`${apps}.RollingUpdateStatefulSetStrategy`]: ['partition', 'maxUnavailable'],
  [`${apps}.DaemonSetSpec`]: ['revisionHistoryLimit'],
  [`${apps}.RollingUpdateDaemonSet`]: ['maxSurge', 'maxUnavailable'],
  [`${apps}.DeploymentStatus`]: ['collisionCount'],
  [`${apps}.StatefulSetStatus`]: ['collisionCount'],
  [`${apps}.DaemonSetStatus`]: ['collisionCount'],
  [`${core}.ReplicationControllerSpec`]: ['replicas'],
  [`${batch}.JobSpec`]: [
    'parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes',
    'ttlSecondsAfterFinished', 'manualSelector', 'suspend', 'completionMode', 'podReplacementPolicy',
  ],
  [`${batch}.JobStatus`]: ['ready', 'terminating'],
  [`${batch}.CronJobSpec`]: ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit', 'suspend', 'timeZone'],
  [`${batch}.PodFailurePolicyOnExitCodesRequirement`]: ['containerName'],
  [`${batch}.SuccessPolicyRule`]: ['succeededIndexes', 'succeededCount'],
  // Pods.
  [`${core}.PodSpec`]: [
    'terminationGracePeriodSeconds', 'activeDeadlineSeconds', 'automountServiceAccountToken', 'enableServiceLinks',
    'shareProcessNamespace', 'hostUsers', 'priority', 'setHostnameAsFQDN', 'runtimeClassName', 'preemptionPolicy',
  ],
  [`${core}.PodSecurityContext`]: ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'fsGroup', 'fsGroupChangePolicy'],
  [`${core}.SecurityContext`]: ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'privileged', 'readOnlyRootFilesystem', 'allowPrivilegeEscalation', 'procMount'],
  [`${core}.Probe`]: ['terminationGracePeriodSeconds'],
  [`${core}.Toleration`]: ['tolerationSeconds'],
  [`${core}.TopologySpreadConstraint`]: ['minDomains', 'nodeAffinityPolicy', 'nodeTaintsPolicy'],
  [`${core}.Container`]: ['restartPolicy'],
  [`${core}.ContainerStatus`]: ['started'],
  // Volumes: file modes are *int32 (0 is a mode), `optional` is *bool.
  [`${core}.ConfigMapVolumeSource`]: ['defaultMode', 'optional'],
  [`${core}.SecretVolumeSource`]: ['defaultMode', 'optional'],
  [`${core}.DownwardAPIVolumeSource`]: ['defaultMode'],
  [`${core}.ProjectedVolumeSource`]: ['defaultMode'],
  [`${core}.DownwardAPIVolumeFile`]: ['mode'],
  [`${core}.KeyToPath`]: ['mode'],
  [`${core}.ConfigMapProjection`]: ['optional'],
  [`${core}.SecretProjection`]: ['optional'],
  [`${core}.ServiceAccountTokenProjection`]: ['expirationSeconds'],
  [`${core}.ConfigMapKeySelector`]: ['optional'],
  [`${core}.SecretKeySelector`]: ['optional'],
  [`${core}.ConfigMapEnvSource`]: ['optional'],
  [`${core}.SecretEnvSource`]: ['optional'],
  [`${core}.CSIVolumeSource`]: ['readOnly'],
  [`${core}.PersistentVolumeClaimSpec`]: ['storageClassName', 'volumeMode', 'volumeAttributesClassName'],
  [`${core}.PersistentVolumeSpec`]: ['volumeMode'],
  // Services.
  [`${core}.ServiceSpec`]: ['allocateLoadBalancerNodePorts', 'loadBalancerClass', 'internalTrafficPolicy', 'ipFamilyPolicy', 'trafficDistribution'],
  [`${core}.ClientIPConfig`]: ['timeoutSeconds'],
  [`${core}.ServiceAccount`]: ['automountServiceAccountToken'],
  [`${core}.Secret`]: ['immutable'],
  [`${core}.ConfigMap`]: ['immutable'],
  [`${core}.EndpointPort`]: ['appProtocol'],
  ['io.k8s.api.discovery.v1.EndpointConditions']: ['ready', 'serving', 'terminating'],
  ['io.k8s.api.discovery.v1.EndpointPort']: ['name', 'protocol', 'port', 'appProtocol'],
  ['io.k8s.api.discovery.v1.Endpoint']: ['hostname', 'nodeName', 'zone'],
  ['io.k8s.api.networking.v1.NetworkPolicyPort']: ['protocol', 'port', 'endPort'],
  ['io.k8s.api.networking.v1.IngressSpec']: ['ingressClassName'],
  ['io.k8s.api.networking.v1.IngressClassParametersReference']: ['scope', 'namespace'],
  ['io.k8s.api.policy.v1.PodDisruptionBudgetSpec']: ['minAvailable', 'maxUnavailable', 'unhealthyPodEvictionPolicy'],
  ['io.k8s.api.scheduling.v1.PriorityClass']: ['preemptionPolicy'],
  ['io.k8s.api.storage.v1.StorageClass']: ['reclaimPolicy', 'allowVolumeExpansion', 'volumeBindingMode'],
  ['io.k8s.api.coordination.v1.LeaseSpec']: ['holderIdentity', 'leaseDurationSeconds', 'leaseTransitions', 'strategy', 'preferredHolder'],
  // Not a pointer in Go, but the scale subresource reads an absent replicas as "not given".
  ['io.k8s.api.autoscaling.v1.ScaleSpec']: ['replicas'],
  ['io.k8s.api.authentication.v1.TokenRequestSpec']: ['expirationSeconds'],
  // CustomResourceDefinitions: schema bounds are *int64/*float64, a bound of 0 is a bound.
  [`${ext}.JSONSchemaProps`]: [
    'maximum', 'minimum', 'multipleOf', 'maxLength', 'minLength', 'maxItems', 'minItems', 'maxProperties', 'minProperties',
    'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-list-type', 'x-kubernetes-map-type',
  ],
  [`${ext}.CustomResourceDefinitionVersion`]: ['deprecationWarning'],
  [`${ext}.CustomResourceSubresourceScale`]: ['labelSelectorPath'],
  [`${ext}.ValidationRule`]: ['optionalOldSelf', 'reason'],
  [`${ext}.WebhookClientConfig`]: ['url'],
  // Metadata and options.
  [`${meta}.ObjectMeta`]: ['deletionGracePeriodSeconds'],
  [`${meta}.OwnerReference`]: ['controller', 'blockOwnerDeletion'],
  [`${meta}.ListMeta`]: ['remainingItemCount'],
  [`${meta}.DeleteOptions`]: ['gracePeriodSeconds', 'orphanDependents', 'propagationPolicy'],
  [`${meta}.Preconditions`]: ['uid', 'resourceVersion'],
};

const fields = new Map(Object.entries(table).map(([def, names]) => [def, new Set(names)]));

/** Whether a zero value of `definition.field` is kept on decode (a Go pointer field). */
export function zeroIsMeaningful(definition: string, field: string): boolean {
  return fields.get(definition)?.has(field) ?? false;
}
