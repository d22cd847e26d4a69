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

  constructor(resources: ResourceType[], backend: Backend, strategies: Record<string, Strategy> = {}) {
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

  all(): ResourceStore[] {
    return [...this.stores.values()];
  }
}
