// A StatefulSet's template history as ControllerRevisions `<set>-<hash>`. The update revision is
// the one matching the current template (made, or renumbered on rollback, as needed); the current
// revision is the one `status.currentRevision` names, which a finished rolling update advances.
import { selectorFromLabelSelector } from '../../apimachinery/labels.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { ObjectStore } from '../../client/informer-types.js';
import type { ResourceClient } from '../../client/rest.js';
import { canonicalJson, templateHash } from '../../client/template-hash.js';
import { controllerOf, controllerRef, podRevision } from './identity.js';
import type { ControllerRevision, Pod, StatefulSet } from './types.js';

const HASH_LABEL = 'controller-revision-hash';

export interface RevisionDeps {
  revisions: ResourceClient<ControllerRevision>;
  revisionStore: ObjectStore<ControllerRevision>;
}

export function revisionData(set: StatefulSet): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(set.spec?.template ?? {}), $patch: 'replace' } } };
}

function sameData(a: ControllerRevision, b: ControllerRevision): boolean {
  return canonicalJson(a.data) === canonicalJson(b.data);
}

/** Oldest first: by revision number, then creation, then name. */
export function sortRevisions(revs: ControllerRevision[]): ControllerRevision[] {
  return revs.sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0)
    || (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '')
    || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/** The set with the template a revision recorded. */
export function applyRevision(set: StatefulSet, rev: ControllerRevision): StatefulSet {
  const out = structuredClone(set);
  const t = { ...((rev.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template ?? {}) };
  delete t.$patch;
  out.spec = { ...out.spec!, template: t as NonNullable<StatefulSet['spec']>['template'] };
  return out;
}

/** Revisions this set controls, adopting orphans its selector matches. */
export async function ownedRevisions(deps: RevisionDeps, set: StatefulSet): Promise<ControllerRevision[]> {
  const sel = selectorFromLabelSelector(set.spec?.selector);
  const out: ControllerRevision[] = [];
  for (const rev of deps.revisionStore.byIndex('namespace', set.metadata?.namespace ?? '')) {
    const ref = controllerOf(rev);
    if (ref) {
      if (ref.uid === set.metadata?.uid) out.push(rev);
      continue;
    }
    if (set.metadata?.deletionTimestamp || !sel.matches(rev.metadata?.labels)) continue;
    try {
      out.push(await deps.revisions.patch(rev.metadata?.namespace, rev.metadata?.name ?? '', {
        metadata: { ownerReferences: [...(rev.metadata?.ownerReferences ?? []), controllerRef(set)], uid: rev.metadata?.uid },
      }, 'merge'));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return sortRevisions(out);
}

function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const rev: ControllerRevision = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      namespace: set.metadata?.namespace,
      labels: { ...(set.spec?.template?.metadata?.labels ?? {}) },
      ...(set.metadata?.annotations ? { annotations: { ...set.metadata.annotations } } : {}),
      ownerReferences: [controllerRef(set)],
    },
    data: revisionData(set),
    revision,
  };
  nameRevision(set, rev, collisionCount);
  return rev;
}

function nameRevision(set: StatefulSet, rev: ControllerRevision, collisionCount: number): void {
  const hash = templateHash(rev.data, collisionCount);
  rev.metadata!.name = `${set.metadata?.name}-${hash}`;
  rev.metadata!.labels = { ...(rev.metadata!.labels ?? {}), [HASH_LABEL]: hash };
}

export interface Revisions {
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
}

/** Finds or makes the update revision; a name taken by another template raises the collision count and retries. */
export async function statefulSetRevisions(deps: RevisionDeps, set: StatefulSet, revs: ControllerRevision[]): Promise<Revisions> {
  let collisionCount = set.status?.collisionCount ?? 0;
  const last = revs[revs.length - 1];
  const candidate = newRevision(set, (last?.revision ?? 0) + 1, collisionCount);
  const equal = revs.filter((r) => sameData(r, candidate));
  let update: ControllerRevision;
  if (equal.length > 0 && last && sameData(last, equal[equal.length - 1]!)) {
    update = last;
  } else if (equal.length > 0) {
    // A rollback: the old revision is renumbered to become the newest.
    const eq = equal[equal.length - 1]!;
    update = await deps.revisions.patch(eq.metadata?.namespace, eq.metadata?.name ?? '', { revision: candidate.revision }, 'merge');
  } else {
    for (;;) {
      try {
        update = await deps.revisions.create(set.metadata?.namespace, candidate);
        break;
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        const existing = await deps.revisions.get(set.metadata?.namespace, candidate.metadata?.name ?? '');
        if (sameData(existing, candidate)) {
          update = existing;
          break;
        }
        collisionCount++;
        nameRevision(set, candidate, collisionCount);
      }
    }
  }
  const current = revs.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/** Deletes the oldest revisions beyond revisionHistoryLimit that no pod, nor the current or update revision, uses. */
export async function truncateHistory(deps: RevisionDeps, set: StatefulSet, pods: Pod[], revs: ControllerRevision[], r: Revisions): Promise<void> {
  const live = new Set([r.current.metadata?.name, r.update.metadata?.name, ...pods.map(podRevision)]);
  const history = revs.filter((rev) => !live.has(rev.metadata?.name));
  const limit = set.spec?.revisionHistoryLimit ?? 10;
  for (const rev of history.slice(0, Math.max(0, history.length - limit))) {
    try {
      await deps.revisions.delete(rev.metadata?.namespace, rev.metadata?.name ?? '');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
