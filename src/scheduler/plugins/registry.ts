// The in-tree plugins and the default profile that enables them, following kube-scheduler's
// default plugin set (plugins not written yet are simply absent).
import type { PluginRegistry } from '../framework/interface.js';
import { NAME as DEFAULT_BINDER, newDefaultBinder } from './defaultbinder/index.js';
import { NAME as IMAGE_LOCALITY, newImageLocality } from './imagelocality/index.js';
import { NAME as NODE_AFFINITY, newNodeAffinity } from './nodeaffinity/index.js';
import { NAME as NODE_NAME, newNodeName } from './nodename/index.js';
import { NAME as NODE_PORTS, newNodePorts } from './nodeports/index.js';
import {
  BALANCED_ALLOCATION_NAME, NAME as NODE_RESOURCES_FIT, newNodeResourcesBalancedAllocation, newNodeResourcesFit,
} from './noderesources/index.js';
import { NAME as NODE_UNSCHEDULABLE, newNodeUnschedulable } from './nodeunschedulable/index.js';
import { NAME as PRIORITY_SORT, newPrioritySort } from './prioritysort/index.js';
import { NAME as TAINT_TOLERATION, newTaintToleration } from './tainttoleration/index.js';
import { NAME as INTER_POD_AFFINITY, newInterPodAffinity } from './interpodaffinity/index.js';
import { NAME as POD_TOPOLOGY_SPREAD, newPodTopologySpread } from './podtopologyspread/index.js';
import { NAME as DEFAULT_PREEMPTION, newDefaultPreemption } from './defaultpreemption/index.js';
import { NAME as VOLUME_BINDING, newVolumeBinding } from './volumebinding/index.js';

export function defaultRegistry(): PluginRegistry {
  return {
    [PRIORITY_SORT]: newPrioritySort,
    [NODE_UNSCHEDULABLE]: newNodeUnschedulable,
    [NODE_NAME]: newNodeName,
    [TAINT_TOLERATION]: newTaintToleration,
    [NODE_AFFINITY]: newNodeAffinity,
    [POD_TOPOLOGY_SPREAD]: newPodTopologySpread,
    [INTER_POD_AFFINITY]: newInterPodAffinity,
    [NODE_PORTS]: newNodePorts,
    [NODE_RESOURCES_FIT]: newNodeResourcesFit,
    [BALANCED_ALLOCATION_NAME]: newNodeResourcesBalancedAllocation,
    [IMAGE_LOCALITY]: newImageLocality,
    [DEFAULT_PREEMPTION]: newDefaultPreemption,
    [VOLUME_BINDING]: newVolumeBinding,
    [DEFAULT_BINDER]: newDefaultBinder,
  };
}

/** A plugin enabled in a profile; `weight` matters for Score plugins only. */
export interface ProfilePlugin { name: string; weight?: number }

/** A scheduler profile: which plugins run (in order) and their arguments. */
export interface Profile {
  schedulerName: string;
  /** Every plugin runs at each extension point it implements, in this order (Kubernetes' multiPoint). */
  plugins: ProfilePlugin[];
  pluginConfig: Record<string, Record<string, unknown>>;
}

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/**
 * Kubernetes' default profile restricted to the plugins that exist, in its order and with its
 * score weights (TaintToleration 3, NodeAffinity 2, the rest 1).
 */
export function defaultProfile(registry: PluginRegistry = defaultRegistry()): Profile {
  const plugins: ProfilePlugin[] = [
    { name: PRIORITY_SORT },
    { name: NODE_UNSCHEDULABLE },
    { name: NODE_NAME },
    { name: TAINT_TOLERATION, weight: 3 },
    { name: NODE_AFFINITY, weight: 2 },
    { name: NODE_PORTS },
    { name: NODE_RESOURCES_FIT, weight: 1 },
    { name: 'VolumeRestrictions' },
    { name: 'NodeVolumeLimits' },
    { name: 'VolumeBinding' },
    { name: 'VolumeZone' },
    { name: 'PodTopologySpread', weight: 2 },
    { name: 'InterPodAffinity', weight: 2 },
    { name: 'DefaultPreemption' },
    { name: BALANCED_ALLOCATION_NAME, weight: 1 },
    { name: IMAGE_LOCALITY, weight: 1 },
    { name: DEFAULT_BINDER },
  ];
  return {
    schedulerName: DEFAULT_SCHEDULER_NAME,
    plugins: plugins.filter((p) => p.name in registry),
    pluginConfig: {
      [NODE_RESOURCES_FIT]: { scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] } },
    },
  };
}
