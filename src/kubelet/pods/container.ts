// The CRI ContainerConfig of one container, as the kubelet builds it: identity and restart
// attempt, image, command and args with $(VAR) expanded, working dir, env, mounts (volumes, the
// managed /etc/hosts and the termination log), log path, stdio, labels and annotations, and the
// Linux resources and security context.
import { join, normalize } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerConfig, Mount, MountPropagation } from '../cri/types.js';
import { containerLogPath } from '../paths.js';
import { expand, lookupIn } from './expand.js';
import {
  CONTAINER_HASH_ANNOTATION, GRACE_PERIOD_ANNOTATION, PORTS_ANNOTATION, PRESTOP_ANNOTATION, RESTART_COUNT_ANNOTATION,
  TERMINATION_MESSAGE_PATH_ANNOTATION, TERMINATION_MESSAGE_POLICY_ANNOTATION, containerHash, containerLabels,
} from './labels.js';
import { containerResources } from './resources.js';
import { containerSecurityContext, type ImageUser } from './security.js';

/** A volume as the volume manager set it up on the host. */
export interface HostVolume { hostPath: string; readOnly?: boolean; selinuxRelabel?: boolean }

export interface ContainerOptions {
  /** The restart count; the new container's attempt. */
  restartCount: number;
  env: { name: string; value: string }[];
  /** By volume name. */
  volumes: ReadonlyMap<string, HostVolume>;
  /** The image reference to run (the resolved image id, or the spec's image). */
  imageRef?: string;
  imageUser?: ImageUser;
  /** Host file mounted at /etc/hosts (pods/<uid>/etc-hosts), when the kubelet manages it. */
  etcHostsPath?: string;
  /** Host file mounted at terminationMessagePath (pods/<uid>/containers/<name>/<id>). */
  terminationLogPath?: string;
  machineMemoryBytes: number;
}

/** Raised for a mount the kubelet cannot make; the container waits in CreateContainerConfigError. */
export class MountError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

const PROPAGATION: Record<string, MountPropagation> = {
  None: 'PROPAGATION_PRIVATE',
  HostToContainer: 'PROPAGATION_HOST_TO_CONTAINER',
  Bidirectional: 'PROPAGATION_BIDIRECTIONAL',
};

function mount(containerPath: string, hostPath: string, readonly: boolean, propagation: MountPropagation = 'PROPAGATION_PRIVATE', selinuxRelabel = false): Mount {
  return { containerPath, hostPath, readonly, selinuxRelabel, propagation, uidMappings: [], gidMappings: [], recursiveReadOnly: false, image: null };
}

export function containerMounts(c: Container, opts: ContainerOptions): Mount[] {
  const env = new Map(opts.env.map((e) => [e.name, e.value]));
  const out: Mount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const vol = opts.volumes.get(m.name);
    if (!vol) throw new MountError(`cannot find volume "${m.name}" to mount into container "${c.name}"`);
    const sub = m.subPathExpr ? expand(m.subPathExpr, lookupIn(env)) : m.subPath ?? '';
    if (sub && (sub.startsWith('/') || normalize(sub).split('/').includes('..'))) {
      throw new MountError(`subPath "${sub}" of volume "${m.name}" must be a relative path within the volume`);
    }
    const hostPath = sub ? join(vol.hostPath, sub) : vol.hostPath;
    out.push(mount(m.mountPath, hostPath, Boolean(m.readOnly || vol.readOnly), PROPAGATION[m.mountPropagation ?? 'None'], vol.selinuxRelabel));
  }
  const mounted = new Set(out.map((m) => m.containerPath));
  if (opts.etcHostsPath && !mounted.has('/etc/hosts')) out.push(mount('/etc/hosts', opts.etcHostsPath, false));
  const tmp = c.terminationMessagePath ?? '/dev/termination-log';
  if (opts.terminationLogPath && tmp && !mounted.has(tmp)) out.push(mount(tmp, opts.terminationLogPath, false));
  return out;
}

export function containerAnnotations(pod: Pod, c: Container, restartCount: number): Record<string, string> {
  const a: Record<string, string> = {
    [CONTAINER_HASH_ANNOTATION]: containerHash(c),
    [RESTART_COUNT_ANNOTATION]: String(restartCount),
    [TERMINATION_MESSAGE_PATH_ANNOTATION]: c.terminationMessagePath ?? '/dev/termination-log',
    [TERMINATION_MESSAGE_POLICY_ANNOTATION]: c.terminationMessagePolicy ?? 'File',
  };
  const grace = pod.spec?.terminationGracePeriodSeconds;
  if (grace !== undefined) a[GRACE_PERIOD_ANNOTATION] = String(grace);
  if (c.lifecycle?.preStop) a[PRESTOP_ANNOTATION] = JSON.stringify(c.lifecycle.preStop);
  if (c.ports?.length) a[PORTS_ANNOTATION] = JSON.stringify(c.ports);
  return a;
}

export function containerConfig(pod: Pod, c: Container, opts: ContainerOptions): ContainerConfig {
  const lookup = lookupIn(new Map(opts.env.map((e) => [e.name, e.value])));
  return {
    metadata: { name: c.name, attempt: opts.restartCount },
    image: { image: opts.imageRef || c.image || '', annotations: {}, userSpecifiedImage: c.image ?? '', runtimeHandler: '' },
    command: (c.command ?? []).map((s) => expand(s, lookup)),
    args: (c.args ?? []).map((s) => expand(s, lookup)),
    workingDir: c.workingDir ?? '',
    envs: opts.env.map((e) => ({ key: e.name, value: e.value })),
    mounts: containerMounts(c, opts),
    devices: [],
    labels: containerLabels(pod, c),
    annotations: containerAnnotations(pod, c, opts.restartCount),
    logPath: containerLogPath(c.name, opts.restartCount),
    stdin: Boolean(c.stdin),
    stdinOnce: Boolean(c.stdinOnce),
    tty: Boolean(c.tty),
    linux: {
      resources: containerResources(pod, c, opts.machineMemoryBytes),
      securityContext: containerSecurityContext(pod, c, opts.imageUser),
    },
  };
}
