// The whole status a node posts, and whether it changed enough to post before the report period.
import type { ContainerImage, NodeAddress, NodeStatus, NodeSystemInfo } from 'kubernetes-types/core/v1.js';
import type { ResourceList } from './capacity.js';
import { conditionsChanged, nodeConditions } from './conditions.js';

export const MAX_IMAGES_IN_STATUS = 50;
export const MAX_NAMES_PER_IMAGE = 5;
export const DEFAULT_KUBELET_PORT = 10250;

export interface ImageSummary {
  names: string[];
  sizeBytes: number;
}

/** The largest images first, at most 50, each with at most 5 names. */
export function statusImages(images: readonly ImageSummary[]): ContainerImage[] {
  return images
    .slice()
    .sort((a, b) => b.sizeBytes - a.sizeBytes)
    .slice(0, MAX_IMAGES_IN_STATUS)
    .map((i) => ({ names: i.names.slice(0, MAX_NAMES_PER_IMAGE), sizeBytes: i.sizeBytes }));
}

export interface StatusInput {
  capacity: ResourceList;
  allocatable: ResourceList;
  addresses: NodeAddress[];
  nodeInfo: NodeSystemInfo;
  images: ContainerImage[];
  kubeletPort: number;
  /** The runtime's problems (empty when ready). */
  errors: string[];
  nowIso: string;
}

/** The status to post over `previous` (whose other conditions and transition times carry over). */
export function buildNodeStatus(previous: NodeStatus | undefined, input: StatusInput): NodeStatus {
  return {
    capacity: input.capacity,
    allocatable: input.allocatable,
    conditions: nodeConditions(previous?.conditions, input.errors, input.nowIso),
    addresses: input.addresses,
    daemonEndpoints: { kubeletEndpoint: { Port: input.kubeletPort } },
    nodeInfo: input.nodeInfo,
    images: input.images,
  };
}

/** True when anything but heartbeat times differs between the posted status and the next. */
export function statusChanged(posted: NodeStatus | undefined, next: NodeStatus): boolean {
  if (!posted) return true;
  if (conditionsChanged(posted.conditions, next.conditions)) return true;
  const rest = (s: NodeStatus) => JSON.stringify([
    sorted(s.capacity), sorted(s.allocatable), s.addresses ?? [], s.daemonEndpoints?.kubeletEndpoint?.Port,
    sorted(s.nodeInfo as Record<string, string> | undefined), s.images ?? [],
  ]);
  return rest(posted) !== rest(next);
}

function sorted(m: Record<string, string> | undefined): [string, string][] {
  return Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
