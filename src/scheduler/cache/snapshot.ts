// The node list a scheduling cycle reads. The cache refreshes it in place before each cycle,
// cloning only the nodes whose generation moved, so a 5,000-node cluster costs a handful of
// clones per pod rather than a full rebuild.
import type { NodeInfo, NodeInfoLister } from '../framework/types.js';
import { MutableNodeInfo } from '../framework/nodeinfo.js';

export class Snapshot implements NodeInfoLister {
  /** Node name → the clone this snapshot holds. */
  readonly byName = new Map<string, MutableNodeInfo>();
  nodes: MutableNodeInfo[] = [];
  private readonly index = new Map<string, number>();
  private withAffinity: MutableNodeInfo[] = [];
  private withRequiredAnti: MutableNodeInfo[] = [];
  /** The highest NodeInfo generation this snapshot reflects. */
  generation = 0;
  /** Image name → nodes holding it; built on first use, kept up to date by replace(), dropped by relist(). */
  private imageCounts?: Map<string, number>;

  /** A snapshot of these NodeInfos (for tests and plugins). */
  static of(infos: MutableNodeInfo[]): Snapshot {
    const s = new Snapshot();
    for (const i of infos) s.byName.set(i.name, i);
    s.relist();
    return s;
  }

  list(): NodeInfo[] { return this.nodes; }
  get(name: string): NodeInfo | undefined { return this.byName.get(name); }
  havePodsWithAffinity(): NodeInfo[] { return this.withAffinity; }
  havePodsWithRequiredAntiAffinity(): NodeInfo[] { return this.withRequiredAnti; }

  imageNodeCount(image: string): number {
    if (!this.imageCounts) {
      this.imageCounts = new Map();
      for (const n of this.nodes) countImages(this.imageCounts, n.imageSizes, 1);
    }
    return this.imageCounts.get(image) ?? 0;
  }

  /** Rebuilds the lists from byName (references only, no clones). */
  relist(order?: string[]): void {
    const names = order ?? [...this.byName.keys()];
    this.nodes = names.map((n) => this.byName.get(n)).filter((n): n is MutableNodeInfo => n !== undefined);
    this.index.clear();
    this.nodes.forEach((n, i) => this.index.set(n.name, i));
    this.imageCounts = undefined;
    this.refilter();
  }

  /** Swaps in a new clone of a node already listed; false if the node is not listed. */
  replace(info: MutableNodeInfo): boolean {
    const i = this.index.get(info.name);
    if (i === undefined) return false;
    const old = this.nodes[i]!;
    // Clones share their node's image map; a new map means the node itself changed.
    if (this.imageCounts && old.imageSizes !== info.imageSizes) {
      countImages(this.imageCounts, old.imageSizes, -1);
      countImages(this.imageCounts, info.imageSizes, 1);
    }
    this.nodes[i] = info;
    this.byName.set(info.name, info);
    return true;
  }

  refilter(): void {
    this.withAffinity = this.nodes.filter((n) => n.podsWithAffinity.length > 0);
    this.withRequiredAnti = this.nodes.filter((n) => n.podsWithRequiredAntiAffinity.length > 0);
  }
}

function countImages(counts: Map<string, number>, images: Map<string, number>, delta: number): void {
  for (const name of images.keys()) {
    const n = (counts.get(name) ?? 0) + delta;
    if (n === 0) counts.delete(name);
    else counts.set(name, n);
  }
}
