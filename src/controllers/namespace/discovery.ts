// The namespaced resources the server serves beyond the built-in ones (custom resources), found
// through aggregated discovery as Kubernetes' namespace controller finds them.
import type { ApiClient, ResourceRef } from '../../client/rest.js';
import { deletableNamespacedResources } from './content.js';

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

interface DiscoveredResource { resource: string; scope: string; verbs?: string[]; responseKind?: { kind?: string } }
interface DiscoveryList { items?: { metadata?: { name?: string }; versions?: { version: string; resources?: DiscoveredResource[] }[] }[] }

/** Built-in deletable namespaced resources plus every served one discovery adds (preferred version of each group). */
export async function discoverNamespacedResources(client: ApiClient): Promise<ResourceRef[]> {
  const builtin = deletableNamespacedResources();
  const known = new Set(builtin.map((rt) => `${rt.plural}.${rt.group}`));
  const res = await client.transport.request('GET', '/apis', { headers: { Accept: AGGREGATED } });
  if (res.status !== 200) return builtin;
  const list = JSON.parse(res.body.toString('utf8')) as DiscoveryList;
  const extra: ResourceRef[] = [];
  for (const g of list.items ?? []) {
    const group = g.metadata?.name ?? '';
    const preferred = g.versions?.[0];
    for (const r of preferred?.resources ?? []) {
      if (r.scope !== 'Namespaced' || known.has(`${r.resource}.${group}`)) continue;
      if (r.verbs && !(r.verbs.includes('list') && r.verbs.includes('delete'))) continue;
      known.add(`${r.resource}.${group}`);
      extra.push({ group, version: preferred!.version, plural: r.resource, kind: r.responseKind?.kind ?? '', namespaced: true });
    }
  }
  return [...builtin, ...extra];
}
