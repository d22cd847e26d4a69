// Starting one container of a pod, as the kubelet's startContainer: CrashLoopBackOff first, then
// the image, the environment, the termination-log file and log files, CreateContainer and
// StartContainer, each failure turned into the waiting reason the pod status shows.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { EventRecorder } from '../../client/controller.js';
import type { PodSandboxConfig } from '../cri/types.js';
import { podDir, podLogDir, type AgentPaths } from '../paths.js';
import type { CrashLoopBackoff } from '../pods/backoff.js';
import { containerConfig, type HostVolume } from '../pods/container.js';
import { containerEnv, type EnvSource } from '../pods/env.js';
import { containerHash } from '../pods/labels.js';
import { latestContainer, type PodRuntimeState } from '../pods/runtime-state.js';
import type { SyncFailure } from '../pods/status.js';
import { FAILED_POST_START_HOOK, POST_START_HOOK_ERROR } from '../probes/lifecycle.js';
import { ImageError, type ImagePuller } from '../runtime/images.js';
import type { RuntimeManager } from '../runtime/manager.js';

export interface ContainerStarterDeps {
  runtime: RuntimeManager;
  images: ImagePuller;
  backoff: CrashLoopBackoff;
  recorder: EventRecorder;
  clock: Clock;
  paths: AgentPaths;
  env: EnvSource;
  machineMemoryBytes: number;
  nodeAllocatable(): Record<string, string> | undefined;
  /** Runs the postStart hook; a rejection fails the start (FailedPostStartHook). */
  postStart?(pod: Pod, c: Container, containerId: string): Promise<void>;
}

/** What one sync knows while starting containers. */
export interface StartContext {
  pod: Pod;
  state: PodRuntimeState;
  sandboxId: string;
  sandboxConfig: PodSandboxConfig;
  podIPs: string[];
  hostIPs: string[];
  volumes: ReadonlyMap<string, HostVolume>;
  etcHostsPath?: string;
  /** Filled with the reason each container could not be started. */
  failures: Map<string, SyncFailure>;
  /** The earliest time a sync should run again (a back-off expiring). */
  retryAt?: number;
}

const configError = (e: unknown): boolean => (e as { reason?: string })?.reason === 'CreateContainerConfigError';

/** Keeps the previous instance's log (for `logs --previous`) and removes older ones and a stale current one. */
async function prepareLogDir(dir: string, restartCount: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const f of await readdir(dir)) {
    const m = /^(\d+)\.log$/.exec(f);
    if (!m) continue;
    const n = Number(m[1]);
    if (n < restartCount - 1 || n === restartCount) await rm(join(dir, f), { force: true });
  }
}

/** Starts the container; false when it could not be (the reason is in ctx.failures). */
export async function startContainer(deps: ContainerStarterDeps, ctx: StartContext, c: Container): Promise<boolean> {
  const { pod, state } = ctx;
  const obj = pod as KubeObject;
  const fail = (reason: string, message: string, event = true) => {
    ctx.failures.set(c.name, { reason, message });
    if (event) deps.recorder.event(obj, 'Warning', 'Failed', `Error: ${message}`);
    return false;
  };
  const latest = latestContainer(state, c.name);
  if (latest?.state === 'exited') {
    const d = deps.backoff.check(pod, c.name, latest.finishedAt, containerHash(c));
    if (d.inBackoff) {
      ctx.failures.set(c.name, { reason: 'CrashLoopBackOff', message: d.message ?? '' });
      if (d.event) deps.recorder.event(obj, 'Warning', d.event.reason, d.event.message);
      if (d.retryAt !== undefined) ctx.retryAt = Math.min(ctx.retryAt ?? Infinity, d.retryAt);
      return false;
    }
  }
  const restartCount = latest ? latest.restartCount + 1 : 0;

  let image;
  try {
    image = await deps.images.ensure(pod, c);
  } catch (e) {
    if (e instanceof ImageError) return fail(e.reason, e.message, false);
    throw e;
  }

  let env;
  try {
    env = await containerEnv(pod, c, { source: deps.env, hostIPs: ctx.hostIPs, podIPs: ctx.podIPs, nodeAllocatable: deps.nodeAllocatable() });
  } catch (e) {
    if (configError(e)) return fail('CreateContainerConfigError', (e as Error).message);
    throw e;
  }
  for (const w of env.warnings) deps.recorder.event(obj, 'Warning', w.reason, w.message);

  const uid = pod.metadata?.uid ?? '';
  const termDir = join(podDir(deps.paths, uid), 'containers', c.name);
  const terminationLogPath = join(termDir, randomBytes(4).toString('hex'));
  await mkdir(termDir, { recursive: true });
  await writeFile(terminationLogPath, '');
  await prepareLogDir(join(podLogDir(deps.paths, pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '', uid), c.name), restartCount);

  let config;
  try {
    config = containerConfig(pod, c, {
      restartCount, env: env.env, volumes: ctx.volumes, imageRef: image.ref, imageUser: image.user,
      etcHostsPath: ctx.etcHostsPath, terminationLogPath, machineMemoryBytes: deps.machineMemoryBytes,
    });
  } catch (e) {
    if (configError(e)) return fail('CreateContainerConfigError', (e as Error).message);
    throw e;
  }

  let id: string;
  try {
    id = await deps.runtime.createContainer(ctx.sandboxId, config, ctx.sandboxConfig);
  } catch (e) {
    return fail('CreateContainerError', (e as Error).message);
  }
  deps.recorder.event(obj, 'Normal', 'Created', `Created container: ${c.name}`);
  try {
    await deps.runtime.startContainer(id);
  } catch (e) {
    return fail('RunContainerError', (e as Error).message);
  }
  deps.recorder.event(obj, 'Normal', 'Started', `Started container ${c.name}`);

  if (c.lifecycle?.postStart && deps.postStart) {
    try {
      await deps.postStart(pod, c, id);
    } catch (e) {
      const msg = (e as Error).message;
      deps.recorder.event(obj, 'Warning', FAILED_POST_START_HOOK, msg);
      await deps.runtime.stopContainer(id, pod.spec?.terminationGracePeriodSeconds ?? 30);
      return fail(POST_START_HOOK_ERROR, msg, false);
    }
  }
  return true;
}
