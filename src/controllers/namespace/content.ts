// Deletes everything a namespace holds, resource by resource, and reports what is left: the
// objects still present (waiting on finalizers or a grace period) and the finalizers holding them.
import type { KubeObject } from '../../apimachinery/object.js';
import { allResources } from '../../api/registry.js';
import type { ResourceType } from '../../api/types.js';
import { isNotFound } from '../../client/errors.js';
import type { ApiClient, ResourceRef } from '../../client/rest.js';
import { forEachLimit } from './pool.js';

/** Parallel deletes per namespace; small, so one namespace cannot starve the API server. */
export const DELETE_CONCURRENCY = 16;
const LIST_PAGE = 500;

export interface ContentReport {
  /** `plural.group` → objects still present after the deletes. */
  remaining: Map<string, number>;
  /** finalizer → objects it still holds. */
  finalizers: Map<string, number>;
  /** Resources whose listing or deleting failed, with why. */
  failures: string[];
  /** Seconds until the longest remaining grace period ends (0 when none). */
  estimateSeconds: number;
}

/** Namespaced resources that can be listed and deleted. */
export function deletableNamespacedResources(): ResourceType[] {
  return allResources().filter((rt) => rt.namespaced
    && (!rt.verbs || (rt.verbs.includes('list') && rt.verbs.includes('delete'))));
}

export function resourceName(rt: ResourceRef): string {
  return `${rt.plural}.${rt.group}`;
}

async function listAll(client: ApiClient, rt: ResourceRef, namespace: string): Promise<KubeObject[]> {
  const rc = client.resource(rt);
  const items: KubeObject[] = [];
  let cont: string | undefined;
  do {
    const page = await rc.list(namespace, { limit: LIST_PAGE, continue: cont });
    items.push(...page.items);
    cont = page.metadata.continue || undefined;
  } while (cont);
  return items;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function deleteNamespaceContent(
  client: ApiClient,
  namespace: string,
  now: number,
  resources: ResourceRef[] = deletableNamespacedResources(),
): Promise<ContentReport> {
  const report: ContentReport = { remaining: new Map(), finalizers: new Map(), failures: [], estimateSeconds: 0 };

  // Pass 1: list every resource, then delete what is not already going, all resources sharing
  // one bounded pool.
  const found: { rt: ResourceRef; items: KubeObject[] }[] = [];
  await forEachLimit(resources, 4, async (rt) => {
    try {
      const items = await listAll(client, rt, namespace);
      if (items.length) found.push({ rt, items });
    } catch (e) {
      report.failures.push(`${resourceName(rt)}: ${errorText(e)}`);
    }
  });
  const deletes = found.flatMap(({ rt, items }) => items
    .filter((o) => !o.metadata?.deletionTimestamp)
    .map((o) => ({ rt, name: o.metadata!.name!, uid: o.metadata?.uid })));
  const failedResources = new Set<string>();
  await forEachLimit(deletes, DELETE_CONCURRENCY, async ({ rt, name, uid }) => {
    try {
      await client.resource(rt).delete(namespace, name, { propagationPolicy: 'Background', preconditions: uid ? { uid } : undefined });
    } catch (e) {
      if (isNotFound(e) || (e as { code?: number }).code === 409) return; // gone, or replaced: the recount sees it
      const rn = resourceName(rt);
      if (!failedResources.has(rn)) report.failures.push(`${rn}: ${errorText(e)}`);
      failedResources.add(rn);
    }
  });

  // Pass 2: what is still there, and why.
  await forEachLimit(found, 4, async ({ rt }) => {
    let items: KubeObject[];
    try {
      items = await listAll(client, rt, namespace);
    } catch (e) {
      report.failures.push(`${resourceName(rt)}: ${errorText(e)}`);
      return;
    }
    if (!items.length) return;
    report.remaining.set(resourceName(rt), items.length);
    for (const o of items) {
      for (const f of o.metadata?.finalizers ?? []) report.finalizers.set(f, (report.finalizers.get(f) ?? 0) + 1);
      const ts = o.metadata?.deletionTimestamp;
      if (ts && (o.metadata?.deletionGracePeriodSeconds ?? 0) > 0) {
        const left = Math.ceil((Date.parse(ts) - now) / 1000);
        if (left > report.estimateSeconds) report.estimateSeconds = left;
      }
    }
  });
  return report;
}
