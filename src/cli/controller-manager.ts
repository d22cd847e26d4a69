// `kite controller-manager`: the controllers as a process of their own, against any Kite API
// server reached over HTTPS with a kubeconfig, behind leader election so several can stand by.
import { join } from 'node:path';
import { parseGoDuration } from '../api/resources/batch/cron-schedule.js';
import type { Logger } from '../apimachinery/log.js';
import { defaultControllerOptions, type Controller, type ControllerOptions } from '../client/controller.js';
import { runAgainstApi } from './kubeconfig-client.js';
import { FlagError, parseLogFormat, type LogFormat } from './flags.js';
import { leaderIdentity, runControllers } from './run-controllers.js';

/** Flag values as commander hands them over. */
export interface RawControllerManagerFlags {
  kubeconfig?: string;
  context?: string;
  /** `--leader-elect` alone is true; `--leader-elect=false` turns it off. */
  leaderElect?: string | boolean;
  workers?: string;
  nodeMonitorGracePeriod?: string;
  defaultTolerationSeconds?: string;
  logFormat?: string;
}

export interface ControllerManagerFlags {
  kubeconfig: string;
  context?: string;
  leaderElect: boolean;
  options: ControllerOptions;
  logFormat: LogFormat;
}

export interface ControllerManagerEnvironment {
  /** $KUBECONFIG (its first entry is used). */
  kubeconfigEnv?: string;
  home: string;
  isTTY: boolean;
}

export function parseBool(flag: string, value: string | boolean | undefined, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  if (typeof value === 'boolean') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 't', 'yes'].includes(v)) return true;
  if (['false', '0', 'f', 'no'].includes(v)) return false;
  throw new FlagError(`${flag}: "${value}" is not true or false`);
}

function parsePositiveInt(flag: string, value: string | undefined, dflt: number, min: number): number {
  if (value === undefined) return dflt;
  const n = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || n < min) throw new FlagError(`${flag}: "${value}" is not a whole number >= ${min}`);
  return n;
}

/** A Go duration (`40s`, `1m30s`), or bare seconds; in whole seconds. */
function parseSeconds(flag: string, value: string | undefined, dflt: number): number {
  if (value === undefined) return dflt;
  const text = value.trim();
  let ms: number;
  try {
    ms = /^\d+$/.test(text) ? Number(text) * 1000 : parseGoDuration(text);
  } catch (err) {
    throw new FlagError(`${flag}: ${(err as Error).message}`);
  }
  if (!(ms > 0)) throw new FlagError(`${flag}: "${value}" must be greater than zero`);
  return Math.max(1, Math.round(ms / 1000));
}

/** The controller tunables both `kite controller-manager` and `kite server` accept. */
export function parseControllerOptions(raw: Pick<RawControllerManagerFlags, 'workers' | 'nodeMonitorGracePeriod' | 'defaultTolerationSeconds'>): ControllerOptions {
  return {
    ...defaultControllerOptions,
    workers: parsePositiveInt('--workers', raw.workers, defaultControllerOptions.workers, 1),
    nodeMonitorGracePeriodSeconds: parseSeconds('--node-monitor-grace-period', raw.nodeMonitorGracePeriod, defaultControllerOptions.nodeMonitorGracePeriodSeconds),
    defaultTolerationSeconds: parsePositiveInt('--default-toleration-seconds', raw.defaultTolerationSeconds, defaultControllerOptions.defaultTolerationSeconds, 0),
  };
}

export function parseControllerManagerFlags(raw: RawControllerManagerFlags, env: ControllerManagerEnvironment): ControllerManagerFlags {
  const fromEnv = env.kubeconfigEnv?.split(':').find((p) => p.trim() !== '');
  const kubeconfig = raw.kubeconfig?.trim() || fromEnv || join(env.home, '.kube', 'config');
  return {
    kubeconfig,
    ...(raw.context ? { context: raw.context } : {}),
    leaderElect: parseBool('--leader-elect', raw.leaderElect, true),
    options: parseControllerOptions(raw),
    logFormat: parseLogFormat(raw.logFormat, env.isTTY),
  };
}

export interface ControllerManagerContext {
  signal: AbortSignal;
  logger: Logger;
  hostname: string;
  /** The controllers to run (default: all of them). */
  controllers?: Controller[];
}

/** Runs until `ctx.signal` aborts; resolves with the process exit code. */
export async function runControllerManager(flags: ControllerManagerFlags, ctx: ControllerManagerContext): Promise<number> {
  const log = ctx.logger.with({ component: 'controller-manager' });
  const controllers = ctx.controllers ?? (await import('./controllers.js')).allControllers();
  return runAgainstApi({
    kubeconfig: flags.kubeconfig, context: flags.context, userAgent: 'kite-controller-manager', log,
    describe: `${controllers.length} controllers; leader election ${flags.leaderElect ? 'on' : 'off'}`,
    run: (client) => runControllers({
      client,
      controllers,
      logger: ctx.logger,
      signal: ctx.signal,
      options: flags.options,
      host: ctx.hostname,
      ...(flags.leaderElect ? { leaderElection: { identity: leaderIdentity(ctx.hostname) } } : {}),
    }),
  });
}
