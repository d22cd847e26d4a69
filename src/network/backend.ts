// What a pod network backend does to the kernel: set up this node's side, add and remove one
// route (and tunnel entries) per peer, and take everything away again.
import type { BackendType, Peer } from './peers.js';
import { CommandError, type CommandRunner } from './runner.js';

/** This node, as the backend needs it. */
export interface LocalNode {
  name: string;
  /** The address peers send this node's pod traffic to. */
  ip: string;
  podCIDR: string;
}

export interface Backend {
  readonly type: BackendType;
  /** Creates what the node needs before any peer; returns annotations to publish on the Node. */
  setup(local: LocalNode): Promise<Record<string, string>>;
  /** Idempotent: programs the route (and tunnel entries) to a peer, replacing what was there. */
  addPeer(peer: Peer): Promise<void>;
  removePeer(peer: Peer): Promise<void>;
  /** Removes everything the backend created, whether or not this process created it. */
  cleanup(): Promise<void>;
}

/**
 * Routes we install carry this protocol number (`proto 75`), so after a restart the ones no
 * longer wanted can be found and removed, and cleanup removes exactly ours.
 */
export const ROUTE_PROTOCOL = '75';

/** Runs a removal, treating "not there" (and any failure) as done: removal is best effort. */
export async function bestEffort(run: CommandRunner, file: string, args: string[]): Promise<boolean> {
  try {
    await run(file, args);
    return true;
  } catch (e) {
    if (e instanceof CommandError) return false;
    throw e;
  }
}

/** Deletes our routes (by protocol) whose destination is not in `keep`; returns what it deleted. */
export async function pruneRoutes(run: CommandRunner, keep: Set<string>): Promise<string[]> {
  const out = await run('ip', ['-j', 'route', 'show', 'proto', ROUTE_PROTOCOL]);
  let routes: { dst?: string }[];
  try {
    routes = JSON.parse(out.trim() || '[]') as { dst?: string }[];
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const r of routes) {
    if (!r.dst || keep.has(r.dst)) continue;
    if (await bestEffort(run, 'ip', ['route', 'del', r.dst, 'proto', ROUTE_PROTOCOL])) removed.push(r.dst);
  }
  return removed;
}
