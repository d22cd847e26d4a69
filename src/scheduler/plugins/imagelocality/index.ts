// ImageLocality: prefers nodes that already hold the pod's images, weighing each image's size by
// the fraction of nodes that have it (so an image present everywhere does not sway placement).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Handle, PluginFactory, PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import { MAX_NODE_SCORE, type CycleState, type NodeInfo } from '../../framework/types.js';

export const NAME = 'ImageLocality';

const MB = 1024 * 1024;
/** Below this total the score is 0 (small images are cheap to pull anyway). */
export const MIN_THRESHOLD = 23 * MB;
/** Per container: totals at or above this score MAX_NODE_SCORE. */
export const MAX_CONTAINER_THRESHOLD = 1000 * MB;

const PRE_SCORE_KEY = `PreScore${NAME}`;

interface ImageSpread { totalNodes: number; nodesWithImage: Map<string, number> }
/** The pod's images (normalized) and their spread, computed once per cycle. */
interface PreScoreState { images: string[]; spread: ImageSpread; same?: number }

/** `nginx` → `nginx:latest`; images with a tag or digest stay as they are. */
export function normalizedImageName(name: string): string {
  if (name.lastIndexOf(':') <= name.lastIndexOf('/')) return `${name}:latest`;
  return name;
}

function podImages(pod: Pod): string[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => normalizedImageName(c.image ?? ''));
}

/** `count`, when given, is the lister's own count of the nodes holding an image (no pass over the nodes). */
export function imageSpread(nodes: NodeInfo[], images: string[], count?: (image: string) => number): ImageSpread {
  const nodesWithImage = new Map<string, number>();
  for (const img of images) nodesWithImage.set(img, count ? count(img) : nodes.filter((n) => n.imageSizes.has(img)).length);
  return { totalNodes: nodes.length, nodesWithImage };
}

/** Sum over the pod's containers of (image size on this node × share of nodes holding it). */
export function sumImageScores(node: NodeInfo, images: string[], spread: ImageSpread): number {
  let sum = 0;
  for (const img of images) {
    const size = node.imageSizes.get(img);
    if (size === undefined || spread.totalNodes === 0) continue;
    sum += Math.trunc(size * ((spread.nodesWithImage.get(img) ?? 0) / spread.totalNodes));
  }
  return sum;
}

/** Maps the summed image score linearly from [MIN_THRESHOLD, containers × MAX_CONTAINER_THRESHOLD] to 0..MAX_NODE_SCORE. */
export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  const clamped = Math.min(Math.max(sumScores, MIN_THRESHOLD), maxThreshold);
  if (maxThreshold <= MIN_THRESHOLD) return 0;
  return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  constructor(private readonly handle: Pick<Handle, 'snapshot'>) {}

  /** The spread counts every node of the snapshot, not only those that passed Filter. */
  private spread(images: string[]): ImageSpread {
    const snapshot = this.handle.snapshot();
    return imageSpread(snapshot.list(), images, snapshot.imageNodeCount?.bind(snapshot));
  }

  preScore(state: CycleState, pod: Pod, _nodes: NodeInfo[]): Status {
    const images = podImages(pod);
    const spread = this.spread(images);
    // No node holds any of the images (the common case): every node scores the same.
    const held = images.some((img) => (spread.nodesWithImage.get(img) ?? 0) > 0);
    state.write(PRE_SCORE_KEY, { images, spread, ...(held ? {} : { same: calculatePriority(0, images.length) }) } satisfies PreScoreState);
    return Status.success();
  }

  score(state: CycleState, pod: Pod, node: NodeInfo): { score: number; status: Status } {
    let s = state.read<PreScoreState>(PRE_SCORE_KEY);
    if (!s) {
      const images = podImages(pod);
      s = { images, spread: this.spread(images) };
    }
    if (s.same !== undefined) return { score: s.same, status: Status.success() };
    return { score: calculatePriority(sumImageScores(node, s.images, s.spread), s.images.length), status: Status.success() };
  }
}

export const newImageLocality: PluginFactory = (_args, handle) => new ImageLocality(handle);
