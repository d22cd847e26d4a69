// `kite scheduler`: the scheduler as a process of its own, against any Kite API server reached
// over HTTPS with a kubeconfig, behind the kube-system/kube-scheduler lease so several can stand
// by. `kite server` runs the same thing in-process (runSchedulerOn).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../apimachinery/log.js';
import type { ApiClient } from '../client/rest.js';
import { runAgainstApi } from './kubeconfig-client.js';
import { checkProfiles, parseSchedulerConfig } from '../scheduler/config/config.js';
import type { SchedulerProfile } from '../scheduler/framework/profile.js';
import { defaultRegistry } from '../scheduler/plugins/registry.js';
import { schedulerController } from '../scheduler/scheduler.js';
import { parseBool } from './controller-manager.js';
import { FlagError, parseLogFormat, type LogFormat } from './flags.js';
import { leaderIdentity, runControllers } from './run-controllers.js';

/** The lease the scheduler holds while it schedules, as kube-scheduler names it. */
export const SCHEDULER_LEASE = 'kube-scheduler';

/** Flag values as commander hands them over. */
export interface RawSchedulerFlags {
  kubeconfig?: string;
  context?: string;
  config?: string;
  /** `--leader-elect` alone is true; `--leader-elect=false` turns it off. */
  leaderElect?: string | boolean;
  logFormat?: string;
}

export interface SchedulerFlags {
  kubeconfig: string;
  context?: string;
  /** A KubeSchedulerConfiguration file; none means the default profile. */
  config?: string;
  leaderElect: boolean;
  logFormat: LogFormat;
}

export interface SchedulerEnvironment {
  /** $KUBECONFIG (its first entry is used). */
  kubeconfigEnv?: string;
  home: string;
  isTTY: boolean;
}

export function parseSchedulerFlags(raw: RawSchedulerFlags, env: SchedulerEnvironment): SchedulerFlags {
  const fromEnv = env.kubeconfigEnv?.split(':').find((p) => p.trim() !== '');
  const config = raw.config?.trim();
  return {
    kubeconfig: raw.kubeconfig?.trim() || fromEnv || join(env.home, '.kube', 'config'),
    ...(raw.context ? { context: raw.context } : {}),
    ...(config ? { config } : {}),
    leaderElect: parseBool('--leader-elect', raw.leaderElect, true),
    logFormat: parseLogFormat(raw.logFormat, env.isTTY),
  };
}

/**
 * The profiles a KubeSchedulerConfiguration file asks for, checked by building their frameworks
 * once; a `FlagError` naming the flag, the file and the field at fault otherwise.
 */
export async function loadSchedulerProfiles(flag: string, path: string, logger: Logger): Promise<SchedulerProfile[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new FlagError(`${flag}: cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const { profiles, warnings } = parseSchedulerConfig(text, defaultRegistry());
    checkProfiles(profiles, defaultRegistry());
    for (const w of warnings) logger.warn(`${path}: ${w}`);
    return profiles;
  } catch (e) {
    throw new FlagError(`${flag}: ${path}: ${(e as Error).message}`);
  }
}

export interface SchedulerRunOptions {
  client: ApiClient;
  logger: Logger;
  signal: AbortSignal;
  /** Names the leader election identity (`<host>_<random>`) and the events' source host. */
  host: string;
  /** Default: the default profile. */
  profiles?: SchedulerProfile[];
  leaderElect: boolean;
}

/** Runs the scheduler on `client` until `signal` aborts, holding the kube-scheduler lease if asked. */
export async function runSchedulerOn(opts: SchedulerRunOptions): Promise<void> {
  await runControllers({
    client: opts.client,
    controllers: [schedulerController(opts.profiles, defaultRegistry())],
    logger: opts.logger,
    signal: opts.signal,
    host: opts.host,
    component: 'scheduler',
    ...(opts.leaderElect ? { leaderElection: { identity: leaderIdentity(opts.host), name: SCHEDULER_LEASE } } : {}),
  });
}

export interface SchedulerContext {
  signal: AbortSignal;
  logger: Logger;
  hostname: string;
}

/** Runs until `ctx.signal` aborts; resolves with the process exit code. */
export async function runScheduler(flags: SchedulerFlags, ctx: SchedulerContext): Promise<number> {
  const log = ctx.logger.with({ component: 'scheduler' });
  let profiles: SchedulerProfile[] | undefined;
  try {
    if (flags.config) profiles = await loadSchedulerProfiles('--config', flags.config, log);
  } catch (err) {
    log.error((err as Error).message);
    return 1;
  }
  const names = (profiles ?? [{ schedulerName: 'default-scheduler' }]).map((p) => p.schedulerName).join(', ');
  return runAgainstApi({
    kubeconfig: flags.kubeconfig, context: flags.context, userAgent: 'kite-scheduler', log,
    describe: `profiles ${names}; leader election ${flags.leaderElect ? 'on' : 'off'}`,
    run: (client) => runSchedulerOn({ client, logger: ctx.logger, signal: ctx.signal, host: ctx.hostname, profiles, leaderElect: flags.leaderElect }),
  });
}
