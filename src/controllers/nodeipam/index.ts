// The node IPAM controller (Kubernetes' range allocator): gives every node without a podCIDR one
// subnet of the cluster CIDR (a /24 of 10.42.0.0/16 by default), learns the subnets nodes already
// hold before it hands out any (so a restart never gives one twice), and frees a node's subnet
// when the node goes. When the range is exhausted the node gets a CIDRNotAvailable event and is
// retried with backoff.
import type { Node as WireNode } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { Controller, ControllerContext, ControllerOptions } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import { objectKey } from '../../client/informer-types.js';
import { resourceForKind } from '../../client/rest.js';
import { runWorkers, type ReconcileResult } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';
import { CIDRSet, CIDRSetError, parseCIDR } from './cidrset.js';

type Node = WireNode & KubeObject;

export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';
export const DEFAULT_NODE_CIDR_MASK_SIZE = 24;
export const COMPONENT = 'cidrAllocator';
export const REASON_CIDR_NOT_AVAILABLE = 'CIDRNotAvailable';
export const REASON_CIDR_ASSIGNMENT_FAILED = 'CIDRAssignmentFailed';

/** The controller's settings, carried in the controller options (`--cluster-cidr`). */
export interface NodeIpamOptions {
  /** The range node subnets come from (default 10.42.0.0/16). */
  clusterCIDR?: string;
  /** Prefix length of each node's subnet (default 24). */
  nodeCIDRMaskSize?: number;
}

/** Checks a `--cluster-cidr` value; the message names the flag. */
export function validateClusterCIDR(flag: string, value: string, maskSize = DEFAULT_NODE_CIDR_MASK_SIZE): string {
  const text = value.trim();
  if (!parseCIDR(text)) throw new CIDRSetError(`${flag}: "${value}" is not an IPv4 network in CIDR form (e.g. ${DEFAULT_CLUSTER_CIDR})`);
  try {
    new CIDRSet(text, maskSize);
  } catch (e) {
    throw new CIDRSetError(`${flag}: ${(e as Error).message}`);
  }
  return text;
}

export function nodePodCIDRs(node: Node): string[] {
  const spec = node.spec ?? {};
  return spec.podCIDRs?.length ? spec.podCIDRs : spec.podCIDR ? [spec.podCIDR] : [];
}

export const nodeIpamController: Controller = {
  name: 'nodeipam',
  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const opts = ctx.options as ControllerOptions & NodeIpamOptions;
    const clusterCIDR = opts.clusterCIDR ?? DEFAULT_CLUSTER_CIDR;
    const set = new CIDRSet(clusterCIDR, opts.nodeCIDRMaskSize ?? DEFAULT_NODE_CIDR_MASK_SIZE);
    const logger = ctx.logger.with({ component: 'node-ipam-controller' });
    const recorder = ctx.recorder(COMPONENT);
    const nodes = ctx.informers.informer<Node>(resourceForKind('v1', 'Node'));
    const nodeClient = ctx.client.kind<Node>('v1', 'Node');
    const queue = new WorkQueue({ clock: ctx.clock, name: 'nodeipam' });
    // Subnets given to nodes whose update the informer has not shown yet, by node name.
    const pending = new Map<string, string>();

    const occupy = (node: Node) => {
      for (const cidr of nodePodCIDRs(node)) {
        if (!set.occupy(cidr)) logger.warn('node podCIDR is not a subnet of the cluster CIDR; left alone', { node: objectKey(node), podCIDR: cidr, clusterCIDR });
      }
    };
    const release = (name: string, cidrs: string[]) => {
      // Two nodes may claim one subnet when someone else set it; keep it while another holds it.
      const held = new Set(nodes.store.list().filter((n) => n.metadata?.name !== name).flatMap(nodePodCIDRs));
      for (const cidr of cidrs) if (!held.has(cidr) && set.release(cidr)) logger.info('released podCIDR', { node: name, podCIDR: cidr });
    };

    nodes.addEventHandler({
      onAdd: (n) => queue.add(objectKey(n)),
      onUpdate: (_old, n) => queue.add(objectKey(n)),
      onDelete: (n) => {
        const name = objectKey(n);
        const ours = pending.get(name);
        pending.delete(name);
        release(name, [...nodePodCIDRs(n), ...(ours ? [ours] : [])]);
        queue.add(name);
      },
    });

    await ctx.informers.waitForSync(signal);
    if (signal.aborted) return;
    for (const n of nodes.store.list()) occupy(n);
    logger.info('learned node subnets', { clusterCIDR, used: set.size - set.free, free: set.free });

    const reconcile = async (name: string): Promise<ReconcileResult> => {
      const node = nodes.store.get(name);
      if (!node) return;
      const existing = nodePodCIDRs(node);
      if (existing.length) {
        occupy(node);
        const ours = pending.get(name);
        pending.delete(name);
        if (ours && !existing.includes(ours)) release(name, [ours]);
        return;
      }
      let cidr = pending.get(name);
      if (!cidr) {
        cidr = set.allocateNext();
        if (!cidr) {
          recorder.event(node, 'Normal', REASON_CIDR_NOT_AVAILABLE, `Node ${name} status is now: ${REASON_CIDR_NOT_AVAILABLE}`);
          throw new Error(`no subnet of ${clusterCIDR} left for node ${name}`);
        }
        pending.set(name, cidr);
      }
      try {
        await nodeClient.patch(undefined, name, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, 'merge');
        logger.info('assigned podCIDR', { node: name, podCIDR: cidr });
      } catch (e) {
        if (isNotFound(e)) {
          pending.delete(name);
          release(name, [cidr]);
          return;
        }
        recorder.event(node, 'Warning', REASON_CIDR_ASSIGNMENT_FAILED, `Node ${name}: failed to set podCIDR ${cidr}: ${(e as Error).message}`);
        throw e;
      }
    };

    await runWorkers(queue, reconcile, {
      workers: 1,
      signal,
      onError: (key, err) => logger.warn('podCIDR assignment failed', { node: key, error: String(err) }),
    });
  },
};
