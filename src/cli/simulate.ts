// `kite simulate`: kwok-style simulated nodes against any Kite (or Kubernetes) API server, for
// scale tests of the control plane; and the same nodes in-process for `kite server --simulate-nodes`.
import { join } from 'node:path';
import { realClock } from '../apimachinery/clock.js';
import type { Logger } from '../apimachinery/log.js';
import { parseQuantity } from '../apimachinery/quantity.js';
import type { ApiClient } from '../client/rest.js';
import { runAgainstApi } from './kubeconfig-client.js';
import type { NodeCapacity, NodeFleet } from '../kubelet/simulated/index.js';
import { FlagError, parseLogFormat, type LogFormat } from './flags.js';

/** Flag values as commander hands them over. */
export interface RawSimulateFlags {
  nodes?: string;
  kubeconfig?: string;
  context?: string;
  zones?: string;
  cpu?: string;
  memory?: string;
  pods?: string;
  namePrefix?: string;
  logFormat?: string;
}

export interface SimulateFlags {
  kubeconfig: string;
  context?: string;
  fleet: NodeFleet;
  logFormat: LogFormat;
}

export interface SimulateEnvironment {
  /** $KUBECONFIG (its first entry is used). */
  kubeconfigEnv?: string;
  home: string;
  isTTY: boolean;
}

/** A count of simulated nodes (`--nodes`, `--simulate-nodes`). */
export function parseNodeCount(flag: string, value: string | undefined): number {
  const text = (value ?? '').trim();
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new FlagError(`${flag}: "${value ?? ''}" is not a whole number >= 1`);
  return Number(text);
}

function quantityFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    parseQuantity(value.trim());
  } catch {
    throw new FlagError(`${flag}: "${value}" is not a quantity`);
  }
  return value.trim();
}

export function parseSimulateFlags(raw: RawSimulateFlags, env: SimulateEnvironment): SimulateFlags {
  const count = parseNodeCount('--nodes', raw.nodes);
  const fromEnv = env.kubeconfigEnv?.split(':').find((p) => p.trim() !== '');
  const kubeconfig = raw.kubeconfig?.trim() || fromEnv || join(env.home, '.kube', 'config');
  const capacity: Partial<NodeCapacity> = {};
  const cpu = quantityFlag('--cpu', raw.cpu);
  const memory = quantityFlag('--memory', raw.memory);
  if (cpu) capacity.cpu = cpu;
  if (memory) capacity.memory = memory;
  if (raw.pods !== undefined) capacity.pods = String(parseNodeCount('--pods', raw.pods));
  const zones = (raw.zones ?? '').split(',').map((z) => z.trim()).filter((z) => z !== '');
  return {
    kubeconfig,
    ...(raw.context ? { context: raw.context } : {}),
    fleet: {
      count,
      ...(raw.namePrefix ? { namePrefix: raw.namePrefix } : {}),
      ...(zones.length ? { zones } : {}),
      ...(Object.keys(capacity).length ? { capacity } : {}),
    },
    logFormat: parseLogFormat(raw.logFormat, env.isTTY),
  };
}

/** Runs simulated nodes over `client` until `signal` aborts. */
export async function runSimulatedNodes(client: ApiClient, fleet: NodeFleet, logger: Logger, signal: AbortSignal): Promise<void> {
  const { SimulatedNodes } = await import('../kubelet/simulated/index.js');
  const nodes = new SimulatedNodes({ client, clock: realClock, logger, nodes: fleet });
  await nodes.start(signal);
}

/** `kite simulate`: runs until `signal` aborts; resolves with the process exit code. */
export async function runSimulate(flags: SimulateFlags, ctx: { signal: AbortSignal; logger: Logger }): Promise<number> {
  const log = ctx.logger.with({ component: 'node-simulator' });
  return runAgainstApi({
    kubeconfig: flags.kubeconfig, context: flags.context, userAgent: 'kite-node-simulator', log,
    describe: `simulating ${flags.fleet.count} nodes`,
    run: (client) => runSimulatedNodes(client, flags.fleet, ctx.logger, ctx.signal),
  });
}
