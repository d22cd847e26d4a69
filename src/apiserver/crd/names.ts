// Which of a CRD's requested names it may have, as Kubernetes' naming controller decides: a name
// stays accepted once accepted; a new one is refused when another CRD of the group (or a built-in
// resource of the group) already uses it. Refusals set NamesAccepted False with the conflict.
import type { ResourceType } from '../../api/types.js';
import type { CRD, CRDCondition, CRDNames } from './custom-resource-type.js';

export interface NamesDecision {
  acceptedNames: CRDNames;
  namesAccepted: CRDCondition;
}

interface UsedNames { resources: Set<string>; kinds: Set<string> }

/** Names in use in the group by the other CRDs (their accepted names) and built-in resources. */
function usedNames(crd: CRD, others: CRD[], builtins: ResourceType[]): UsedNames {
  const group = crd.spec?.group;
  const resources = new Set<string>();
  const kinds = new Set<string>();
  const addNames = (n: CRDNames) => {
    for (const r of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (r) resources.add(r);
    for (const k of [n.kind, n.listKind]) if (k) kinds.add(k);
  };
  for (const o of others) {
    if (o.metadata?.name === crd.metadata?.name || o.spec?.group !== group) continue;
    addNames(o.status?.acceptedNames ?? {});
  }
  for (const rt of builtins) {
    if (rt.group !== group) continue;
    addNames({ plural: rt.plural, singular: rt.singular, shortNames: rt.shortNames, kind: rt.kind, listKind: `${rt.kind}List` });
  }
  return { resources, kinds };
}

function conflictOf(requested: string | undefined, accepted: string | undefined, used: Set<string>): string | undefined {
  if (requested === accepted || !requested || !used.has(requested)) return undefined;
  return `"${requested}" is already in use`;
}

export function decideNames(crd: CRD, others: CRD[], builtins: ResourceType[]): NamesDecision {
  const requested = crd.spec?.names ?? {};
  const accepted = crd.status?.acceptedNames ?? {};
  const used = usedNames(crd, others, builtins);
  const next: CRDNames = { ...accepted };
  let refusal: { reason: string; message: string } | undefined;
  const check = (field: 'plural' | 'singular' | 'kind' | 'listKind', reason: string, pool: Set<string>) => {
    const why = conflictOf(requested[field], accepted[field], pool);
    if (why) refusal = { reason, message: why };
    else if (requested[field] !== undefined) next[field] = requested[field];
    else delete next[field];
  };
  check('plural', 'PluralConflict', used.resources);
  check('singular', 'SingularConflict', used.resources);
  const shortNames = requested.shortNames ?? [];
  const ownShort = new Set(accepted.shortNames ?? []);
  const shortConflicts = shortNames
    .filter((s) => !ownShort.has(s) && s !== accepted.plural && s !== accepted.singular)
    .map((s) => conflictOf(s, '', used.resources))
    .filter((x): x is string => Boolean(x));
  if (shortConflicts.length) {
    refusal = { reason: 'ShortNamesConflict', message: shortConflicts.length > 1 ? `[${shortConflicts.join(', ')}]` : shortConflicts[0] };
  } else if (requested.shortNames) next.shortNames = requested.shortNames;
  else delete next.shortNames;
  check('kind', 'KindConflict', used.kinds);
  check('listKind', 'ListKindConflict', used.kinds);
  if (requested.categories) next.categories = requested.categories;
  else delete next.categories;
  const namesAccepted: CRDCondition = refusal
    ? { type: 'NamesAccepted', status: 'False', ...refusal }
    : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  return { acceptedNames: next, namesAccepted };
}

/** Sets a condition, keeping lastTransitionTime when the status did not change. Returns whether anything changed. */
export function setCondition(conditions: CRDCondition[], c: CRDCondition, now: string): boolean {
  const i = conditions.findIndex((x) => x.type === c.type);
  const old = i >= 0 ? conditions[i] : undefined;
  if (old && old.status === c.status && old.reason === c.reason && old.message === c.message) return false;
  const next = { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now };
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
  return true;
}

export function conditionOf(crd: CRD, type: string): CRDCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

export function isEstablished(crd: CRD): boolean {
  return conditionOf(crd, 'Established')?.status === 'True';
}
