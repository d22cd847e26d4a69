// Security contexts as the CRI wants them: namespaces from hostNetwork/hostPID/hostIPC and
// shareProcessNamespace, users and groups (the container's over the pod's), capabilities,
// privilege escalation and the default masked and read-only /proc and /sys paths.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { LinuxContainerSecurityContext, LinuxSandboxSecurityContext, NamespaceOption, SecurityProfile } from '../cri/types.js';

export const DEFAULT_MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export function namespaceOptions(pod: Pod): NamespaceOption {
  const s = pod.spec;
  return {
    network: s?.hostNetwork ? 'NODE' : 'POD',
    pid: s?.hostPID ? 'NODE' : s?.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: s?.hostIPC ? 'NODE' : 'POD',
    targetId: '',
    usernsOptions: null,
  };
}

const int64 = (v: number | undefined) => (v === undefined ? null : { value: v });

function supplementalGroups(pod: Pod): number[] {
  const sc = pod.spec?.securityContext;
  const groups = [...(sc?.supplementalGroups ?? [])];
  if (sc?.fsGroup !== undefined && !groups.includes(sc.fsGroup)) groups.push(sc.fsGroup);
  return groups;
}

function seccomp(profile: { type: string; localhostProfile?: string } | undefined): SecurityProfile | null {
  if (!profile) return null;
  const profileType = profile.type === 'RuntimeDefault' ? 'RuntimeDefault' : profile.type === 'Localhost' ? 'Localhost' : 'Unconfined';
  return { profileType, localhostRef: profile.localhostProfile ?? '' };
}

export function sandboxSecurityContext(pod: Pod): LinuxSandboxSecurityContext {
  const sc = pod.spec?.securityContext;
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return {
    namespaceOptions: namespaceOptions(pod),
    selinuxOptions: null,
    runAsUser: int64(sc?.runAsUser),
    runAsGroup: int64(sc?.runAsGroup),
    readonlyRootfs: false,
    supplementalGroups: supplementalGroups(pod),
    supplementalGroupsPolicy: 'Merge',
    privileged: all.some((c) => c.securityContext?.privileged),
    seccomp: seccomp(sc?.seccompProfile),
    apparmor: null,
    seccompProfilePath: '',
  };
}

/** The user an image runs as: a uid, a name that cannot be checked, or neither (root). */
export interface ImageUser { uid?: number; username?: string }

/** Raised when runAsNonRoot cannot be honoured; the container waits in CreateContainerConfigError. */
export class NonRootError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

function verifyRunAsNonRoot(pod: Pod, c: Container, uid: number | undefined, image: ImageUser | undefined): void {
  const nonRoot = c.securityContext?.runAsNonRoot ?? pod.spec?.securityContext?.runAsNonRoot;
  if (!nonRoot) return;
  const podRef = `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;
  if (uid !== undefined) {
    if (uid === 0) throw new NonRootError(`container's runAsUser breaks non-root policy (pod: "${podRef}", container: ${c.name})`);
    return;
  }
  // Without the image's user (not yet looked up) only an explicit runAsUser can be checked.
  if (!image) return;
  if (image.uid === 0 || (image.uid === undefined && !image.username)) {
    throw new NonRootError(`container has runAsNonRoot and image will run as root (pod: "${podRef}", container: ${c.name})`);
  }
  if (image.uid === undefined && image.username) {
    throw new NonRootError(`container has runAsNonRoot and image has non-numeric user (${image.username}), cannot verify user is non-root (pod: "${podRef}", container: ${c.name})`);
  }
}

export function containerSecurityContext(pod: Pod, c: Container, image?: ImageUser): LinuxContainerSecurityContext {
  const psc = pod.spec?.securityContext;
  const csc = c.securityContext;
  const uid = csc?.runAsUser ?? psc?.runAsUser;
  verifyRunAsNonRoot(pod, c, uid, image);
  const privileged = Boolean(csc?.privileged);
  const unmasked = csc?.procMount === 'Unmasked';
  return {
    capabilities: { addCapabilities: csc?.capabilities?.add ?? [], dropCapabilities: csc?.capabilities?.drop ?? [], addAmbientCapabilities: [] },
    privileged,
    namespaceOptions: namespaceOptions(pod),
    selinuxOptions: null,
    runAsUser: int64(uid),
    runAsGroup: int64(csc?.runAsGroup ?? psc?.runAsGroup),
    runAsUsername: '',
    readonlyRootfs: Boolean(csc?.readOnlyRootFilesystem),
    supplementalGroups: supplementalGroups(pod),
    supplementalGroupsPolicy: 'Merge',
    // Only an explicit allowPrivilegeEscalation: false sets no_new_privs; privileged never does.
    noNewPrivs: !privileged && csc?.allowPrivilegeEscalation === false,
    maskedPaths: privileged || unmasked ? [] : DEFAULT_MASKED_PATHS,
    readonlyPaths: privileged || unmasked ? [] : DEFAULT_READONLY_PATHS,
    seccomp: seccomp(csc?.seccompProfile ?? psc?.seccompProfile),
    apparmor: null,
    apparmorProfile: '',
    seccompProfilePath: '',
  };
}
