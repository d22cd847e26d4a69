// All served resources, addressable by group, version and plural.
import type { Backend } from '../../storage/backend.js';
import type { ResourceType } from '../../api/types.js';
import { ResourceStore } from './store.js';
import type { Strategy } from './strategy.js';
import { NamespacePresence } from './presence.js';

export interface GroupVersions { group: string; versions: string[] }

export class Registry {
  private readonly stores = new Map<string, ResourceStore>();
  private readonly order: GroupVersions[] = [];
  private readonly presences = new Map<ResourceStore, NamespacePresence>();
  /** Bumped whenever resources are added or removed at runtime (custom resources). */
  private changeCount = 0;

  constructor(resources: ResourceType[], private readonly backend: Backend, strategies: Record<string, Strategy> = {}) {
    for (const rt of resources) {
      const gr = rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
      this.stores.set(`${rt.group}/${rt.version}/${rt.plural}`, new ResourceStore(rt, backend, strategies[gr]));
      let g = this.order.find((x) => x.group === rt.group);
      if (!g) this.order.push((g = { group: rt.group, versions: [] }));
      if (!g.versions.includes(rt.version)) g.versions.push(rt.version);
    }
  }

  lookup(group: string, version: string, plural: string): ResourceStore | undefined {
    return this.stores.get(`${group}/${version}/${plural}`);
  }

  /** Groups in serving order (core first); within a group, the preferred version first. */
  groups(): GroupVersions[] {
    return this.order;
  }

  resources(group: string, version: string): ResourceType[] {
    return [...this.stores.values()].filter((s) => s.rt.group === group && s.rt.version === version).map((s) => s.rt);
  }

  /** Whether a namespace may hold objects of a resource, without reading storage (see NamespacePresence). */
  presence(store: ResourceStore): NamespacePresence {
    let p = this.presences.get(store);
    if (!p) this.presences.set(store, (p = new NamespacePresence(store)));
    return p;
  }

  /**
   * Serves one more resource (a custom resource version) and returns its store; `versionOrder`
   * sorts the group's versions, preferred first.
   */
  add(rt: ResourceType, strategy?: Strategy, versionOrder?: (a: string, b: string) => number): ResourceStore {
    const store = new ResourceStore(rt, this.backend, strategy);
    this.stores.set(`${rt.group}/${rt.version}/${rt.plural}`, store);
    let g = this.order.find((x) => x.group === rt.group);
    if (!g) this.order.push((g = { group: rt.group, versions: [] }));
    if (!g.versions.includes(rt.version)) g.versions.push(rt.version);
    if (versionOrder) g.versions.sort(versionOrder);
    this.changeCount++;
    return store;
  }

  /** Stops serving a resource added with `add`; a group without resources left disappears. */
  remove(group: string, version: string, plural: string): void {
    const store = this.stores.get(`${group}/${version}/${plural}`);
    if (!store) return;
    this.stores.delete(`${group}/${version}/${plural}`);
    this.presences.delete(store);
    const g = this.order.find((x) => x.group === group);
    if (g && !this.resources(group, version).length) g.versions = g.versions.filter((v) => v !== version);
    if (g && !g.versions.length) this.order.splice(this.order.indexOf(g), 1);
    this.changeCount++;
  }

  /** Changes with every runtime add or remove (for caches of documents built from the registry). */
  get changes(): number {
    return this.changeCount;
  }

  all(): ResourceStore[] {
    return [...this.stores.values()];
  }
}
