// A DaemonSet's template history as ControllerRevisions `<ds>-<hash>`: the revision matching the
// current template is "current" and holds the highest revision number (a rollback renumbers the
// old revision instead of making a new one); old revisions beyond revisionHistoryLimit are deleted
// unless a pod still runs them.
import type { ControllerRevision, DaemonSet, Pod } from './types.js';
import { selectorFromLabelSelector } from '../../apimachinery/labels.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { ObjectStore } from '../../client/informer-types.js';
import type { ResourceClient } from '../../client/rest.js';
import { canonicalJson, templateHash } from '../../client/template-hash.js';
import { controllerOf, controllerRef, REVISION_HASH_LABEL } from './pods.js';

export interface HistoryDeps {
  revisions: ResourceClient<ControllerRevision>;
  daemonsets: ResourceClient<DaemonSet>;
  pods: ResourceClient<Pod>;
  revisionStore: ObjectStore<ControllerRevision>;
}

/** What a revision stores: a patch that replaces the DaemonSet's template. */
export function revisionData(ds: DaemonSet): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(ds.spec?.template ?? {}), $patch: 'replace' } } };
}

export function revisionMatches(ds: DaemonSet, rev: ControllerRevision): boolean {
  return canonicalJson(revisionData(ds)) === canonicalJson(rev.data);
}

/** The template a revision recorded (for rollbacks and inspection). */
export function revisionTemplate(rev: ControllerRevision): unknown {
  const t = { ...((rev.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template ?? {}) };
  delete t.$patch;
  return t;
}

export function revisionHash(rev: ControllerRevision): string {
  return rev.metadata?.labels?.[REVISION_HASH_LABEL] ?? '';
}

/** The revisions this DaemonSet controls, adopting orphans its selector matches. */
async function ownedRevisions(deps: HistoryDeps, ds: DaemonSet): Promise<ControllerRevision[]> {
  const uid = ds.metadata?.uid;
  const sel = selectorFromLabelSelector(ds.spec?.selector);
  const out: ControllerRevision[] = [];
  for (const rev of deps.revisionStore.byIndex('namespace', ds.metadata?.namespace ?? '')) {
    const ref = controllerOf(rev);
    if (ref) {
      if (ref.uid === uid) out.push(rev);
      continue;
    }
    if (ds.metadata?.deletionTimestamp || rev.metadata?.deletionTimestamp || !sel.matches(rev.metadata?.labels)) continue;
    try {
      out.push(await deps.revisions.patch(rev.metadata?.namespace, rev.metadata?.name ?? '', {
        metadata: { ownerReferences: [...(rev.metadata?.ownerReferences ?? []), controllerRef(ds)], uid: rev.metadata?.uid },
      }, 'merge'));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return out;
}

/** Creates the revision; a name clash with a different template bumps the collision count and fails, to retry. */
async function snapshot(deps: HistoryDeps, ds: DaemonSet, revision: number): Promise<ControllerRevision> {
  const collisionCount = ds.status?.collisionCount;
  const hash = templateHash(ds.spec?.template, collisionCount);
  const name = `${ds.metadata?.name}-${hash}`;
  const rev: ControllerRevision = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name, namespace: ds.metadata?.namespace,
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
      ...(ds.metadata?.annotations ? { annotations: ds.metadata.annotations } : {}),
      ownerReferences: [controllerRef(ds)],
    },
    data: revisionData(ds),
    revision,
  };
  try {
    return await deps.revisions.create(ds.metadata?.namespace, rev);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    const existing = await deps.revisions.get(ds.metadata?.namespace, name);
    if (revisionMatches(ds, existing)) return existing;
    const fresh = await deps.daemonsets.get(ds.metadata?.namespace, ds.metadata?.name ?? '');
    if ((fresh.status?.collisionCount ?? undefined) !== (collisionCount ?? undefined)) {
      throw new Error(`stale collision count for DaemonSet ${ds.metadata?.name}; retrying`, { cause: e });
    }
    const status = { ...(fresh.status ?? {}), collisionCount: (collisionCount ?? 0) + 1 };
    await deps.daemonsets.updateStatus(fresh.metadata?.namespace, { ...fresh, status } as DaemonSet);
    throw new Error(`ControllerRevision ${name} holds another template; collision count raised`, { cause: e });
  }
}

/**
 * Finds or makes the current revision. Several revisions with the current template (left by an
 * earlier crash) are folded into the newest: pods labelled with the others are relabelled first.
 */
export async function constructHistory(deps: HistoryDeps, ds: DaemonSet, pods: Pod[]): Promise<{ cur: ControllerRevision; old: ControllerRevision[] }> {
  const all = await ownedRevisions(deps, ds);
  const current = all.filter((r) => revisionMatches(ds, r));
  const old = all.filter((r) => !revisionMatches(ds, r));
  // The current revision is numbered above every old one.
  const next = old.reduce((m, r) => Math.max(m, r.revision ?? 0), 0) + 1;
  if (current.length === 0) return { cur: await snapshot(deps, ds, next), old };

  current.sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0));
  let cur = current[0]!;
  const keepHash = revisionHash(cur);
  for (const dup of current.slice(1)) {
    const dupHash = revisionHash(dup);
    for (const pod of pods) {
      if (!dupHash || pod.metadata?.labels?.[REVISION_HASH_LABEL] !== dupHash) continue;
      await deps.pods.patch(pod.metadata?.namespace, pod.metadata?.name ?? '', { metadata: { labels: { [REVISION_HASH_LABEL]: keepHash } } }, 'merge');
    }
    try {
      await deps.revisions.delete(dup.metadata?.namespace, dup.metadata?.name ?? '');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  if ((cur.revision ?? 0) < next) {
    cur = await deps.revisions.patch(cur.metadata?.namespace, cur.metadata?.name ?? '', { revision: next }, 'merge');
  }
  return { cur, old };
}

/** Old revisions to delete: the oldest beyond the limit whose hash no pod carries any more. */
export function revisionsToPrune(old: ControllerRevision[], limit: number, pods: Pod[]): ControllerRevision[] {
  let excess = old.length - Math.max(0, limit);
  if (excess <= 0) return [];
  const live = new Set(pods.map((p) => p.metadata?.labels?.[REVISION_HASH_LABEL]).filter((h): h is string => !!h));
  const out: ControllerRevision[] = [];
  for (const rev of [...old].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0))) {
    if (excess <= 0) break;
    if (live.has(revisionHash(rev))) continue;
    out.push(rev);
    excess--;
  }
  return out;
}
