// The webhook steps of the admission chain, in the store's terms: the dispatcher built on the
// registry (configurations, Services, namespaces, served versions) and the attributes of each write.
import type { KubeObject } from '../../../apimachinery/object.js';
import { StatusError } from '../../../apimachinery/status.js';
import type { Registry } from '../../registry/registry.js';
import type { DeleteOptions, ResourceStore } from '../../registry/store.js';
import type { RequestContext } from '../../registry/strategy.js';
import type { AdmissionAttributes, AdmissionOperation } from './attributes.js';
import { WebhookConfigurationCache } from './configuration-cache.js';
import { WebhookDispatcher } from './dispatcher.js';

async function getOrUndefined(store: ResourceStore | undefined, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  if (!store) return undefined;
  try {
    return await store.get(namespace, name);
  } catch (e) {
    if (e instanceof StatusError && e.code === 404) return undefined;
    throw e;
  }
}

export function webhookDispatcherFor(registry: Registry): WebhookDispatcher {
  return new WebhookDispatcher({
    hooks: new WebhookConfigurationCache(registry),
    resolveService: async (namespace, name) => {
      const svc = await getOrUndefined(registry.lookup('', 'v1', 'services'), namespace, name);
      return svc ? { clusterIP: (svc.spec as { clusterIP?: string } | undefined)?.clusterIP } : undefined;
    },
    namespaceLabels: async (name) => (await getOrUndefined(registry.lookup('', 'v1', 'namespaces'), undefined, name))?.metadata?.labels ?? {},
    equivalents: (a) => registry.all()
      .filter((s) => s.rt.group === a.rt.group && s.rt.plural === a.rt.plural && s.rt.version !== a.rt.version)
      .map((s) => ({ group: s.rt.group, version: s.rt.version, kind: s.rt.kind, plural: s.rt.plural })),
  });
}

const OPTIONS_KIND: Record<AdmissionOperation, string> = {
  CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions', CONNECT: '',
};

/** The attributes of a write through `store`, as webhooks receive them. */
export function writeAttributes(
  store: ResourceStore, operation: AdmissionOperation, namespace: string | undefined, ctx: RequestContext,
  objects: { object?: KubeObject; oldObject?: KubeObject }, subresource = '', deleteOptions?: DeleteOptions,
): AdmissionAttributes {
  const options: Record<string, unknown> = { kind: OPTIONS_KIND[operation], apiVersion: 'meta.k8s.io/v1' };
  if (ctx.dryRun) options.dryRun = ['All'];
  if (ctx.fieldManager) options.fieldManager = ctx.fieldManager;
  if (deleteOptions?.gracePeriodSeconds !== undefined) options.gracePeriodSeconds = deleteOptions.gracePeriodSeconds;
  if (deleteOptions?.propagationPolicy) options.propagationPolicy = deleteOptions.propagationPolicy;
  const named = objects.object ?? objects.oldObject;
  return {
    operation, rt: store.rt, subresource, namespace: store.rt.namespaced ? namespace : undefined,
    name: named?.metadata?.name ?? '', ...objects, user: ctx.user, dryRun: ctx.dryRun, options,
  };
}
