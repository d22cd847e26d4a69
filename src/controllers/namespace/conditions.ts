// The deletion conditions a terminating namespace reports, named and worded as Kubernetes does so
// `kubectl describe namespace` explains what the deletion waits on.
import type { ContentReport } from './content.js';

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

function counts(m: Map<string, number>, what: string): string {
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${what} ${n} resource instances`).join(', ');
}

/** The conditions a content report implies (without transition times). */
export function conditionsFor(report: ContentReport): NamespaceCondition[] {
  const failed = report.failures.length > 0;
  const remaining = report.remaining.size > 0;
  const finalizers = report.finalizers.size > 0;
  return [
    { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
    { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
    failed
      ? { type: 'NamespaceDeletionContentFailure', status: 'True', reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${report.failures.length} remaining: ${report.failures.join(', ')}` }
      : { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
    remaining
      ? { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${counts(report.remaining, 'has')}` }
      : { type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
    finalizers
      ? { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${counts(report.finalizers, 'in')}` }
      : { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
  ];
}

/**
 * Merges the wanted conditions into the current ones: a condition keeps its transition time
 * while its status holds. Returns undefined when nothing changed.
 */
export function mergeConditions(current: NamespaceCondition[], wanted: NamespaceCondition[], nowISO: string): NamespaceCondition[] | undefined {
  const out = current.filter((c) => !wanted.some((w) => w.type === c.type));
  let changed = false;
  for (const w of wanted) {
    const old = current.find((c) => c.type === w.type);
    if (old && old.status === w.status && old.reason === w.reason && old.message === w.message) {
      out.push(old);
      continue;
    }
    changed = true;
    out.push({ ...w, lastTransitionTime: old && old.status === w.status ? old.lastTransitionTime : nowISO });
  }
  return changed ? out : undefined;
}
