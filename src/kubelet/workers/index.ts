// The kubelet's pod workers: one serial worker per pod, the sync itself, the status manager and
// the runtime relist that wakes workers.
export { PodWorkers, type SyncFn, type SyncRequest, type SyncResult } from './pod-workers.js';
export { PodStatusManager, statusEqual } from './status-manager.js';
export { PodSyncer, gracePeriod, type PodProbes, type PodSyncerOptions, type PodVolumes } from './sync.js';
export { PodLifecycleEvents } from './pleg.js';
export { managedHostsFile, hostNetworkHostsFile } from './hosts-file.js';
export { startContainer, type ContainerStarterDeps, type StartContext } from './start-container.js';
export { removePodCgroups, podCgroupCandidates, CGROUPFS_ROOT } from './cgroups.js';
export { criExec, managedProbes } from './probes.js';
