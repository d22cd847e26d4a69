// Discovery documents: the legacy per-group-version lists and aggregated discovery v2.
import type { ResourceType } from '../api/types.js';
import type { Registry } from './registry/registry.js';
import { parseAccept } from './response.js';
import { SERVED_SUBRESOURCES } from './subresources.js';

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Only subresources the server answers are advertised. */
function served(rt: ResourceType): NonNullable<ResourceType['subresources']> {
  return (rt.subresources ?? []).filter((s) => SERVED_SUBRESOURCES.has(s.name));
}

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** The aggregated media type the client asked for, if it asked for one before plain JSON. */
export function wantsAggregated(accept: string | undefined): string | undefined {
  for (const m of parseAccept(accept)) {
    if (m.type !== 'application/json') continue;
    if (m.params.as === 'APIGroupDiscoveryList' && m.params.g === 'apidiscovery.k8s.io') {
      if (m.params.v === 'v2') return AGGREGATED_V2;
      if (m.params.v === 'v2beta1') return AGGREGATED_V2BETA1;
      continue;
    }
    if (!m.params.as) return undefined;
  }
  return undefined;
}

function gv(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function apiVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(group: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: gv(group, v), version: v }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(registry: Registry): unknown {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry.groups().filter((g) => g.group !== '').map((g) => apiGroup(g.group, g.versions)),
  };
}

export function apiGroupDocument(registry: Registry, group: string): unknown | undefined {
  const g = registry.groups().find((x) => x.group === group && group !== '');
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.group, g.versions) } : undefined;
}

export function apiResourceList(registry: Registry, group: string, version: string): unknown | undefined {
  const rts = registry.resources(group, version);
  if (rts.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const rt of rts) {
    const entry: Record<string, unknown> = {
      name: rt.plural, singularName: rt.singular, namespaced: rt.namespaced, kind: rt.kind,
      verbs: rt.verbs ?? allVerbs,
    };
    if (rt.shortNames?.length) entry.shortNames = rt.shortNames;
    if (rt.categories?.length) entry.categories = rt.categories;
    resources.push(entry);
    for (const sub of served(rt)) {
      const s: Record<string, unknown> = {
        name: `${rt.plural}/${sub.name}`, singularName: '', namespaced: rt.namespaced, kind: sub.kind, verbs: sub.verbs,
      };
      if (sub.group !== undefined) { s.group = sub.group; s.version = sub.version; }
      resources.push(s);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv(group, version), resources };
}

function discoveryResource(rt: ResourceType): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: rt.plural,
    responseKind: { group: rt.group, version: rt.version, kind: rt.kind },
    scope: rt.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: rt.singular,
    verbs: rt.verbs ?? allVerbs,
  };
  if (rt.shortNames?.length) r.shortNames = rt.shortNames;
  if (rt.categories?.length) r.categories = rt.categories;
  const subs = served(rt);
  if (subs.length) {
    r.subresources = subs.map((sub) => ({
      subresource: sub.name,
      responseKind: { group: sub.group ?? rt.group, version: sub.version ?? rt.version, kind: sub.kind },
      verbs: sub.verbs,
    }));
  }
  return r;
}

/** `/api` (core only) or `/apis` (every other group) as one APIGroupDiscoveryList. */
export function aggregatedDiscovery(registry: Registry, core: boolean, mediaType: string): unknown {
  const apiVersion = mediaType === AGGREGATED_V2BETA1 ? 'apidiscovery.k8s.io/v2beta1' : 'apidiscovery.k8s.io/v2';
  const items = registry.groups().filter((g) => (g.group === '') === core).map((g) => ({
    metadata: { name: g.group, creationTimestamp: null },
    versions: g.versions.map((v) => ({
      version: v,
      resources: registry.resources(g.group, v).map(discoveryResource),
      freshness: 'Current',
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items };
}
