// The record of one cluster, `<state-dir>/<name>/cluster.json` (0600): written before anything is
// made and updated as each piece appears, so `kite cluster delete` knows what to take down even
// when `create` stopped half-way.
import { chmod, mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterPlan } from './plan.js';

export type ClusterPhase = 'creating' | 'ready' | 'failed';

export interface ProcessRecord {
  pid: number;
  /** The process's command line (without the join token); a PID whose command line lost this path is someone else's. */
  args: string[];
  log: string;
}

export interface ClusterState {
  apiVersion: 'kite.io/v1alpha1';
  kind: 'LocalCluster';
  plan: ClusterPlan;
  phase: ClusterPhase;
  createdAt: string;
  /** The API server's port on every address of the host. */
  port?: number;
  server?: ProcessRecord;
  /** Agents by node index. */
  agents: Record<number, ProcessRecord>;
  /** What `create` failed on, when it did. */
  error?: string;
}

export const STATE_FILE = 'cluster.json';

export function newClusterState(plan: ClusterPlan, now: Date): ClusterState {
  return { apiVersion: 'kite.io/v1alpha1', kind: 'LocalCluster', plan, phase: 'creating', createdAt: now.toISOString(), agents: {} };
}

/** Writes the state atomically with mode 0600 (it names the join token's file and the processes). */
export async function writeClusterState(state: ClusterState): Promise<void> {
  await mkdir(state.plan.dir, { recursive: true, mode: 0o700 });
  const tmp = `${state.plan.stateFile}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, state.plan.stateFile);
}

export async function readClusterState(file: string): Promise<ClusterState> {
  const state = JSON.parse(await readFile(file, 'utf8')) as ClusterState;
  if (state?.kind !== 'LocalCluster' || !state.plan?.name) throw new Error(`${file} is not a cluster state file`);
  state.agents ??= {};
  return state;
}

/** The clusters under `stateDir`, by name; unreadable state files are left out. */
export async function listClusterStates(stateDir: string): Promise<ClusterState[]> {
  const names = await readdir(stateDir).catch(() => [] as string[]);
  const out: ClusterState[] = [];
  for (const name of names.sort()) {
    try {
      out.push(await readClusterState(join(stateDir, name, STATE_FILE)));
    } catch {
      // not a cluster directory
    }
  }
  return out;
}

/** Drops the join token from a command line, for the record. */
export function redactToken(args: string[]): string[] {
  const out = [...args];
  const i = out.indexOf('--token');
  if (i >= 0 && i + 1 < out.length) out[i + 1] = '<redacted>';
  return out;
}
