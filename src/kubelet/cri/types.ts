// CRI v1 messages as our gRPC client delivers them, for the definitions in api.proto.
//
// The client loads api.proto with @grpc/proto-loader and these options (see CRI_LOADER_OPTIONS):
// - keepCase: false — field names are camelCase (`pod_sandbox_id` → `podSandboxId`);
// - longs: Number — int64/uint64 arrive as numbers (nanosecond timestamps lose their last few
//   nanoseconds beyond 2^53, which nothing of ours depends on);
// - enums: String — enum values arrive as their names (`'CONTAINER_RUNNING'`);
// - defaults: true — absent scalars arrive as their zero value (`''`, `0`, `false`), absent
//   repeated fields as `[]`, absent maps as `{}`, and absent messages as `null`;
// - oneofs: true — (no oneofs in what we use).
// `bytes` fields arrive as Buffers.
//
// Requests are written as `Input<…>`: every field optional, absent ones take the protobuf default.
// Enums may be given by name; int64 fields as numbers.

export const CRI_LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;

type Scalar = string | number | boolean | Buffer | Uint8Array;
/** What a request may carry: any field may be left out. */
export type Input<T> = T extends Scalar
  ? T
  : T extends readonly (infer E)[]
    ? Input<E>[]
    : T extends object
      ? { [K in keyof T]?: Input<NonNullable<T[K]>> | null }
      : T;

export type StringMap = Record<string, string>;

// ---- enums ----
export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export type SupplementalGroupsPolicy = 'Merge' | 'Strict';
export type ProfileType = 'RuntimeDefault' | 'Unconfined' | 'Localhost';
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

// ---- version and runtime status ----
export interface VersionRequest { version: string }
export interface VersionResponse { version: string; runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }
export interface RuntimeCondition { type: string; status: boolean; reason: string; message: string }
export interface RuntimeStatus { conditions: RuntimeCondition[] }
export interface StatusRequest { verbose: boolean }
export interface StatusResponse { status: RuntimeStatus | null; info: StringMap }
export interface UpdateRuntimeConfigRequest { runtimeConfig: { networkConfig: { podCidr: string } | null } | null }
export type Empty = Record<string, never>;

// ---- building blocks ----
export interface DNSConfig { servers: string[]; searches: string[]; options: string[] }
export interface PortMapping { protocol: Protocol; containerPort: number; hostPort: number; hostIp: string }
export interface IDMapping { hostId: number; containerId: number; length: number }
export interface ImageSpec { image: string; annotations: StringMap; userSpecifiedImage: string; runtimeHandler: string }
export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  selinuxRelabel: boolean;
  propagation: MountPropagation;
  uidMappings: IDMapping[];
  gidMappings: IDMapping[];
  recursiveReadOnly: boolean;
  image: ImageSpec | null;
}
export interface UserNamespace { mode: NamespaceMode; uids: IDMapping[]; gids: IDMapping[] }
export interface NamespaceOption {
  network: NamespaceMode;
  pid: NamespaceMode;
  ipc: NamespaceMode;
  targetId: string;
  usernsOptions: UserNamespace | null;
}
export interface Int64Value { value: number }
export interface UInt64Value { value: number }
export interface SELinuxOption { user: string; role: string; type: string; level: string }
export interface SecurityProfile { profileType: ProfileType; localhostRef: string }
export interface KeyValue { key: string; value: string }
export interface HugepageLimit { pageSize: string; limit: number }
export interface LinuxContainerResources {
  cpuPeriod: number;
  cpuQuota: number;
  cpuShares: number;
  memoryLimitInBytes: number;
  oomScoreAdj: number;
  cpusetCpus: string;
  cpusetMems: string;
  hugepageLimits: HugepageLimit[];
  unified: StringMap;
  memorySwapLimitInBytes: number;
}

// ---- pod sandboxes ----
export interface LinuxSandboxSecurityContext {
  namespaceOptions: NamespaceOption | null;
  selinuxOptions: SELinuxOption | null;
  runAsUser: Int64Value | null;
  runAsGroup: Int64Value | null;
  readonlyRootfs: boolean;
  supplementalGroups: number[];
  supplementalGroupsPolicy: SupplementalGroupsPolicy;
  privileged: boolean;
  seccomp: SecurityProfile | null;
  apparmor: SecurityProfile | null;
  seccompProfilePath: string;
}
export interface LinuxPodSandboxConfig {
  cgroupParent: string;
  securityContext: LinuxSandboxSecurityContext | null;
  sysctls: StringMap;
  overhead: LinuxContainerResources | null;
  resources: LinuxContainerResources | null;
}
export interface PodSandboxMetadata { name: string; uid: string; namespace: string; attempt: number }
export interface PodSandboxConfig {
  metadata: PodSandboxMetadata | null;
  hostname: string;
  logDirectory: string;
  dnsConfig: DNSConfig | null;
  portMappings: PortMapping[];
  labels: StringMap;
  annotations: StringMap;
  linux: LinuxPodSandboxConfig | null;
}
export interface RunPodSandboxRequest { config: PodSandboxConfig | null; runtimeHandler: string }
export interface RunPodSandboxResponse { podSandboxId: string }
export interface PodSandboxIdRequest { podSandboxId: string }
export interface PodSandboxStatusRequest { podSandboxId: string; verbose: boolean }
export interface PodIP { ip: string }
export interface PodSandboxNetworkStatus { ip: string; additionalIps: PodIP[] }
export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxState;
  /** Nanoseconds since the epoch. */
  createdAt: number;
  network: PodSandboxNetworkStatus | null;
  linux: { namespaces: { options: NamespaceOption | null } | null } | null;
  labels: StringMap;
  annotations: StringMap;
  runtimeHandler: string;
}
export interface PodSandboxStatusResponse {
  status: PodSandboxStatus | null;
  info: StringMap;
  containersStatuses: ContainerStatus[];
  timestamp: number;
}
export interface PodSandboxFilter { id: string; state: { state: PodSandboxState } | null; labelSelector: StringMap }
export interface ListPodSandboxRequest { filter: PodSandboxFilter | null }
export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxState;
  createdAt: number;
  labels: StringMap;
  annotations: StringMap;
  runtimeHandler: string;
}
export interface ListPodSandboxResponse { items: PodSandbox[] }

// ---- containers ----
export interface Capability { addCapabilities: string[]; dropCapabilities: string[]; addAmbientCapabilities: string[] }
export interface LinuxContainerSecurityContext {
  capabilities: Capability | null;
  privileged: boolean;
  namespaceOptions: NamespaceOption | null;
  selinuxOptions: SELinuxOption | null;
  runAsUser: Int64Value | null;
  runAsGroup: Int64Value | null;
  runAsUsername: string;
  readonlyRootfs: boolean;
  supplementalGroups: number[];
  supplementalGroupsPolicy: SupplementalGroupsPolicy;
  noNewPrivs: boolean;
  maskedPaths: string[];
  readonlyPaths: string[];
  seccomp: SecurityProfile | null;
  apparmor: SecurityProfile | null;
  apparmorProfile: string;
  seccompProfilePath: string;
}
export interface LinuxContainerConfig {
  resources: LinuxContainerResources | null;
  securityContext: LinuxContainerSecurityContext | null;
}
export interface ContainerMetadata { name: string; attempt: number }
export interface Device { containerPath: string; hostPath: string; permissions: string }
export interface ContainerConfig {
  metadata: ContainerMetadata | null;
  image: ImageSpec | null;
  command: string[];
  args: string[];
  workingDir: string;
  envs: KeyValue[];
  mounts: Mount[];
  devices: Device[];
  labels: StringMap;
  annotations: StringMap;
  /** Relative to the sandbox's logDirectory. */
  logPath: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  linux: LinuxContainerConfig | null;
}
export interface CreateContainerRequest {
  podSandboxId: string;
  config: ContainerConfig | null;
  sandboxConfig: PodSandboxConfig | null;
}
export interface CreateContainerResponse { containerId: string }
export interface ContainerIdRequest { containerId: string }
export interface StopContainerRequest { containerId: string; /** seconds */ timeout: number }
export interface ContainerFilter {
  id: string;
  state: { state: ContainerState } | null;
  podSandboxId: string;
  labelSelector: StringMap;
}
export interface ListContainersRequest { filter: ContainerFilter | null }
export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata | null;
  image: ImageSpec | null;
  imageRef: string;
  state: ContainerState;
  createdAt: number;
  labels: StringMap;
  annotations: StringMap;
  imageId: string;
}
export interface ListContainersResponse { containers: Container[] }
export interface ContainerStatusRequest { containerId: string; verbose: boolean }
export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata | null;
  state: ContainerState;
  /** Nanoseconds since the epoch; 0 when not reached. */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  image: ImageSpec | null;
  imageRef: string;
  /** `OOMKilled` when the memory cgroup killed it. */
  reason: string;
  message: string;
  labels: StringMap;
  annotations: StringMap;
  mounts: Mount[];
  logPath: string;
  resources: { linux: LinuxContainerResources | null } | null;
  imageId: string;
  user: { linux: { uid: number; gid: number; supplementalGroups: number[] } | null } | null;
  imageSource: string;
}
export interface ContainerStatusResponse { status: ContainerStatus | null; info: StringMap }
export interface UpdateContainerResourcesRequest {
  containerId: string;
  linux: LinuxContainerResources | null;
  annotations: StringMap;
}

// ---- exec, attach, port-forward ----
export interface ExecSyncRequest { containerId: string; cmd: string[]; /** seconds, 0 = none */ timeout: number }
export interface ExecSyncResponse { stdout: Buffer; stderr: Buffer; exitCode: number }
export interface ExecRequest { containerId: string; cmd: string[]; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean }
export interface AttachRequest { containerId: string; stdin: boolean; tty: boolean; stdout: boolean; stderr: boolean }
export interface PortForwardRequest { podSandboxId: string; port: number[] }
export interface UrlResponse { url: string }

// ---- stats ----
export interface FilesystemUsage {
  timestamp: number;
  fsId: { mountpoint: string } | null;
  usedBytes: UInt64Value | null;
  inodesUsed: UInt64Value | null;
}
export interface CpuUsage { timestamp: number; usageCoreNanoSeconds: UInt64Value | null; usageNanoCores: UInt64Value | null }
export interface MemoryUsage {
  timestamp: number;
  workingSetBytes: UInt64Value | null;
  availableBytes: UInt64Value | null;
  usageBytes: UInt64Value | null;
  rssBytes: UInt64Value | null;
  pageFaults: UInt64Value | null;
  majorPageFaults: UInt64Value | null;
}
export interface ContainerStats {
  attributes: { id: string; metadata: ContainerMetadata | null; labels: StringMap; annotations: StringMap } | null;
  cpu: CpuUsage | null;
  memory: MemoryUsage | null;
  writableLayer: FilesystemUsage | null;
  swap: { timestamp: number; swapAvailableBytes: UInt64Value | null; swapUsageBytes: UInt64Value | null } | null;
}
export interface ContainerStatsResponse { stats: ContainerStats | null }
export interface ListContainerStatsRequest {
  filter: { id: string; podSandboxId: string; labelSelector: StringMap } | null;
}
export interface ListContainerStatsResponse { stats: ContainerStats[] }

// ---- images ----
export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  uid: Int64Value | null;
  username: string;
  spec: ImageSpec | null;
  pinned: boolean;
}
export interface ListImagesRequest { filter: { image: ImageSpec | null } | null }
export interface ListImagesResponse { images: Image[] }
export interface ImageStatusRequest { image: ImageSpec | null; verbose: boolean }
/** `image` is null when the image is not present. */
export interface ImageStatusResponse { image: Image | null; info: StringMap }
export interface AuthConfig {
  username: string;
  password: string;
  auth: string;
  serverAddress: string;
  identityToken: string;
  registryToken: string;
}
export interface PullImageRequest { image: ImageSpec | null; auth: AuthConfig | null; sandboxConfig: PodSandboxConfig | null }
export interface PullImageResponse { imageRef: string }
export interface RemoveImageRequest { image: ImageSpec | null }
export interface ImageFsInfoResponse { imageFilesystems: FilesystemUsage[]; containerFilesystems: FilesystemUsage[] }

// ---- services ----

/** Per-call options; `timeoutMs` overrides the client's default deadline. */
export interface CallOptions { timeoutMs?: number; signal?: AbortSignal }

type Rpc<Req, Res> = (req?: Input<Req>, opts?: CallOptions) => Promise<Res>;

export interface RuntimeService {
  version: Rpc<VersionRequest, VersionResponse>;
  runPodSandbox: Rpc<RunPodSandboxRequest, RunPodSandboxResponse>;
  stopPodSandbox: Rpc<PodSandboxIdRequest, Empty>;
  removePodSandbox: Rpc<PodSandboxIdRequest, Empty>;
  podSandboxStatus: Rpc<PodSandboxStatusRequest, PodSandboxStatusResponse>;
  listPodSandbox: Rpc<ListPodSandboxRequest, ListPodSandboxResponse>;
  createContainer: Rpc<CreateContainerRequest, CreateContainerResponse>;
  startContainer: Rpc<ContainerIdRequest, Empty>;
  stopContainer: Rpc<StopContainerRequest, Empty>;
  removeContainer: Rpc<ContainerIdRequest, Empty>;
  listContainers: Rpc<ListContainersRequest, ListContainersResponse>;
  containerStatus: Rpc<ContainerStatusRequest, ContainerStatusResponse>;
  updateContainerResources: Rpc<UpdateContainerResourcesRequest, Empty>;
  reopenContainerLog: Rpc<ContainerIdRequest, Empty>;
  execSync: Rpc<ExecSyncRequest, ExecSyncResponse>;
  exec: Rpc<ExecRequest, UrlResponse>;
  attach: Rpc<AttachRequest, UrlResponse>;
  portForward: Rpc<PortForwardRequest, UrlResponse>;
  containerStats: Rpc<ContainerIdRequest, ContainerStatsResponse>;
  listContainerStats: Rpc<ListContainerStatsRequest, ListContainerStatsResponse>;
  updateRuntimeConfig: Rpc<UpdateRuntimeConfigRequest, Empty>;
  status: Rpc<StatusRequest, StatusResponse>;
}

export interface ImageService {
  listImages: Rpc<ListImagesRequest, ListImagesResponse>;
  imageStatus: Rpc<ImageStatusRequest, ImageStatusResponse>;
  pullImage: Rpc<PullImageRequest, PullImageResponse>;
  removeImage: Rpc<RemoveImageRequest, Empty>;
  imageFsInfo: Rpc<Empty, ImageFsInfoResponse>;
}

/** The method names of each service, in the order of api.proto (the client binds exactly these). */
export const RUNTIME_METHODS = [
  'Version', 'RunPodSandbox', 'StopPodSandbox', 'RemovePodSandbox', 'PodSandboxStatus', 'ListPodSandbox',
  'CreateContainer', 'StartContainer', 'StopContainer', 'RemoveContainer', 'ListContainers', 'ContainerStatus',
  'UpdateContainerResources', 'ReopenContainerLog', 'ExecSync', 'Exec', 'Attach', 'PortForward',
  'ContainerStats', 'ListContainerStats', 'UpdateRuntimeConfig', 'Status',
] as const;
export const IMAGE_METHODS = ['ListImages', 'ImageStatus', 'PullImage', 'RemoveImage', 'ImageFsInfo'] as const;
