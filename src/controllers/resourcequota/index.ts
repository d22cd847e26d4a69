// The resource quota controller: keeps every ResourceQuota's status.hard (its spec.hard) and
// status.used (what the namespace's objects charge, within the quota's scopes) current. It
// recounts a quota when objects of a resource it names change in its namespace, and every five
// minutes regardless (pods pass their deletion grace without any event).
import type { ResourceQuota as WireQuota } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { parseQuantity } from '../../apimachinery/quantity.js';
import { allResources } from '../../api/registry.js';
import {
  canonical, formatUsage, groupResourceString, objectUsage, quotaUsed, resourcesCountedBy,
  type GroupResource, type QuotaSpec,
} from '../../api/quota/usage.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { Informer } from '../../client/informer-types.js';
import { objectKey, splitKey } from '../../client/informer-types.js';
import { resourceForKind, type ResourceRef } from '../../client/rest.js';
import { runWorkers, type ReconcileResult } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';

type Quota = WireQuota & KubeObject;
type ResourceList = Record<string, string>;

/** How often every quota is recounted even without changes (Kubernetes: 5 minutes). */
export const QUOTA_RESYNC_MS = 5 * 60_000;

/** The served resource for a group and plural (its preferred version). */
function refFor(gr: GroupResource): ResourceRef | undefined {
  return allResources().find((rt) => rt.group === gr.group && rt.plural === gr.plural && rt.namespaced);
}

/** The status a quota should have given its spec and what `used` counted. */
export function desiredStatus(spec: QuotaSpec, used: Map<string, { toString(): string }>): { hard: ResourceList; used: ResourceList } {
  const u: ResourceList = {};
  for (const k of [...used.keys()].sort()) u[k] = used.get(k)!.toString();
  return { hard: hardOf(spec), used: u };
}

function hardOf(spec: QuotaSpec): ResourceList {
  const hard: ResourceList = {};
  for (const [k, v] of Object.entries(spec.hard ?? {})) hard[k] = canonical(v);
  return hard;
}

function sameList(a: Record<string, unknown> | undefined, b: ResourceList): boolean {
  const ak = Object.keys(a ?? {});
  if (ak.length !== Object.keys(b).length) return false;
  for (const k of ak) {
    if (!(k in b)) return false;
    try {
      if (!parseQuantity(String(a![k])).equals(parseQuantity(b[k]!))) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** A fingerprint of what an object charges and of the pod fields quota scopes look at. */
function chargeSignature(gr: GroupResource, obj: KubeObject, now: number): string {
  const spec = obj.spec as { activeDeadlineSeconds?: number; priorityClassName?: string } | undefined;
  const scoped = !gr.group && gr.plural === 'pods' ? `|${spec?.activeDeadlineSeconds ?? ''}|${spec?.priorityClassName ?? ''}` : '';
  return formatUsage(objectUsage(gr, obj, now)) + scoped;
}

export const resourceQuotaController: Controller = {
  name: 'resourcequota',
  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const logger = ctx.logger.with({ component: 'resourcequota-controller' });
    const quotas = ctx.informers.informer<Quota>(resourceForKind('v1', 'ResourceQuota'));
    const quotaClient = ctx.client.kind<Quota>('v1', 'ResourceQuota');
    const queue = new WorkQueue({ clock: ctx.clock, name: 'resourcequota' });
    const counted = new Map<string, Informer>();

    /** Quotas in the namespace that count the resource. */
    const enqueueCounting = (gr: GroupResource, namespace: string | undefined) => {
      if (!namespace) return;
      const name = groupResourceString(gr);
      for (const q of quotas.store.byIndex('namespace', namespace)) {
        if (resourcesCountedBy(q.spec?.hard).some((x) => groupResourceString(x) === name)) queue.add(objectKey(q));
      }
    };

    /** The informer of a counted resource, watched from the first quota that names it on. */
    const countedInformer = (gr: GroupResource): Informer | undefined => {
      const name = groupResourceString(gr);
      let inf = counted.get(name);
      if (inf) return inf;
      const ref = refFor(gr);
      if (!ref) return undefined;
      inf = ctx.informers.informer(ref);
      counted.set(name, inf);
      inf.addEventHandler({
        onAdd: (o) => enqueueCounting(gr, o.metadata?.namespace),
        onDelete: (o) => enqueueCounting(gr, o.metadata?.namespace),
        onUpdate: (a, b) => {
          const now = ctx.clock.now();
          if (chargeSignature(gr, a, now) !== chargeSignature(gr, b, now)) enqueueCounting(gr, b.metadata?.namespace);
        },
      });
      return inf;
    };

    quotas.addEventHandler({
      onAdd: (q) => queue.add(objectKey(q)),
      onUpdate: (a, b) => {
        // Our own status writes come back as updates; only spec changes (or a foreign status) matter.
        if (JSON.stringify(a.spec) !== JSON.stringify(b.spec) || !sameList(b.status?.hard, hardOf(b.spec ?? {}))) queue.add(objectKey(b));
      },
    });

    try {
      await ctx.informers.waitForSync(signal);
    } catch {
      return;
    }
    if (signal.aborted) return;

    const reconcile = async (key: string): Promise<ReconcileResult> => {
      const quota = quotas.store.get(key);
      if (!quota) return;
      const { namespace } = splitKey(key);
      const spec: QuotaSpec = quota.spec ?? {};
      const informers: { gr: GroupResource; inf: Informer }[] = [];
      for (const gr of resourcesCountedBy(spec.hard)) {
        const inf = countedInformer(gr);
        if (inf) informers.push({ gr, inf });
      }
      if (informers.some(({ inf }) => !inf.hasSynced())) {
        try {
          await ctx.informers.waitForSync(signal);
        } catch {
          return;
        }
      }
      const objects = informers.map(({ gr, inf }) => ({ gr, items: inf.store.byIndex('namespace', namespace ?? '') }));
      const status = desiredStatus(spec, quotaUsed(spec, objects, ctx.clock.now()));
      if (sameList(quota.status?.hard, status.hard) && sameList(quota.status?.used, status.used)) {
        return { requeueAfterMs: QUOTA_RESYNC_MS };
      }
      try {
        try {
          await quotaClient.updateStatus(namespace, { ...quota, status });
        } catch (e) {
          // The cache often lags our own last write; retry once on the stored version. Its spec
          // may differ from the one counted, but a spec change brings the quota back here.
          if (!isConflict(e)) throw e;
          const latest = await quotaClient.get(namespace, quota.metadata!.name!);
          if (JSON.stringify(latest.spec) !== JSON.stringify(quota.spec)) throw e;
          await quotaClient.updateStatus(namespace, { ...latest, status });
        }
        logger.debug('quota usage updated', { quota: key, used: status.used });
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      return { requeueAfterMs: QUOTA_RESYNC_MS };
    };

    await runWorkers(queue, reconcile, {
      workers: ctx.options.workers,
      signal,
      onError: (key, err) => logger.warn('quota recount failed', { quota: key, error: String(err) }),
    });
  },
};
