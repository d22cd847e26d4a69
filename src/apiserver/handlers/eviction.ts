// pods/eviction: a delete that PodDisruptionBudgets may refuse, as Kubernetes' eviction REST does.
// Pods that are Pending, finished or already terminating go at once; otherwise the one budget
// selecting the pod must allow a disruption, which is taken from its status before the delete.
import type { KubeObject } from '../../apimachinery/object.js';
import { selectorFromLabelSelector } from '../../apimachinery/labels.js';
import { formatTime } from '../../apimachinery/duration.js';
import { StatusError, badRequest, successStatus } from '../../apimachinery/status.js';
import { readBody, mediaType, decodeObject } from '../body.js';
import { writeObject } from '../response.js';
import type { DeleteOptions, ResourceStore } from '../registry/store.js';
import { requestContext, type RestRequest } from './context.js';
import { parseDeleteOptions } from './options.js';

/** How often a conflicting pod delete or budget update is tried again. */
const EVICTION_ATTEMPTS = 20;
/** More unconfirmed evictions than this and the budget refuses until its controller catches up. */
export const MAX_DISRUPTED_POD_SIZE = 2000;
export const DISRUPTION_BUDGET_CAUSE = 'DisruptionBudget';
export const VIOLATES_BUDGET = "Cannot evict pod as it would violate the pod's disruption budget.";
export const MULTIPLE_BUDGETS = 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.';

interface PodLike extends KubeObject {
  status?: { phase?: string; conditions?: { type?: string; status?: string }[] };
}
interface BudgetCondition { type: string; status: string; reason: string; message: string; lastTransitionTime: string; observedGeneration?: number }
interface BudgetLike extends KubeObject {
  spec?: { selector?: { matchLabels?: Record<string, string>; matchExpressions?: never[] }; unhealthyPodEvictionPolicy?: string };
  status?: {
    disruptionsAllowed?: number; currentHealthy?: number; desiredHealthy?: number; expectedPods?: number;
    observedGeneration?: number; disruptedPods?: Record<string, string>; conditions?: BudgetCondition[];
  };
}

const isConflict = (e: unknown) => e instanceof StatusError && e.code === 409;

/** Pods whose eviction disrupts nothing the budget still counts. */
function canIgnoreBudget(pod: PodLike): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || Boolean(pod.metadata?.deletionTimestamp);
}

/** Whether to guard the delete against the pod having changed (e.g. become ready) since it was read. */
function shouldEnforceResourceVersion(pod: PodLike): boolean {
  const phase = pod.status?.phase;
  return !(phase === 'Succeeded' || phase === 'Failed' || pod.metadata?.deletionTimestamp);
}

function isPodReady(pod: PodLike): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function withResourceVersion(opts: DeleteOptions, rv: string | undefined): DeleteOptions {
  return { ...opts, preconditions: { ...opts.preconditions, resourceVersion: rv } };
}

function tooManyRequests(cause: string, retryAfterSeconds: number): StatusError {
  return new StatusError(429, 'TooManyRequests', VIOLATES_BUDGET, {
    ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
    causes: [{ reason: DISRUPTION_BUDGET_CAUSE, message: cause }],
  });
}

const stillProcessing = (name: string) => tooManyRequests(`The disruption budget ${name} is still being processed by the server.`, 10);

/** Budgets in the pod's namespace whose (non-empty, valid) selector matches the pod's labels. */
async function budgetsFor(r: RestRequest, pod: PodLike): Promise<BudgetLike[]> {
  const store = r.registry.lookup('policy', 'v1', 'poddisruptionbudgets');
  if (!store) return [];
  const { items } = await store.list(pod.metadata?.namespace, {});
  return (items as BudgetLike[]).filter((pdb) => {
    try {
      const sel = selectorFromLabelSelector(pdb.spec?.selector);
      // A nil or empty selector guards nothing here.
      return !sel.empty() && sel.matches(pod.metadata?.labels ?? {});
    } catch {
      return false;
    }
  });
}

function setDisruptionAllowedCondition(pdb: BudgetLike, now: number): void {
  const status = pdb.status!;
  const allowed = (status.disruptionsAllowed ?? 0) > 0;
  const want = { type: 'DisruptionAllowed', status: allowed ? 'True' : 'False', reason: allowed ? 'SufficientPods' : 'InsufficientPods', message: '' };
  const conditions = (status.conditions ??= []);
  const i = conditions.findIndex((c) => c.type === want.type);
  const prior = i >= 0 ? conditions[i] : undefined;
  const next: BudgetCondition = {
    ...want, observedGeneration: status.observedGeneration,
    lastTransitionTime: prior && prior.status === want.status ? prior.lastTransitionTime : formatTime(now),
  };
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
}

/** Takes one disruption from the budget (recording the pod), or refuses with Kubernetes' errors. */
async function checkAndDecrement(store: ResourceStore, pdb: BudgetLike, podName: string, r: RestRequest, dryRun: boolean): Promise<void> {
  const status = pdb.status ?? {};
  const name = pdb.metadata?.name ?? '';
  if ((status.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) throw stillProcessing(name);
  const allowed = status.disruptionsAllowed ?? 0;
  if (allowed < 0) throw forbiddenBudget(name, 'pdb disruptions allowed is negative');
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
    throw forbiddenBudget(name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (allowed === 0) {
    throw tooManyRequests(`The disruption budget ${name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`, 0);
  }
  const now = r.clock.now();
  const next = structuredClone(pdb);
  next.status = { ...structuredClone(status), disruptionsAllowed: allowed - 1 };
  if (allowed - 1 === 0) setDisruptionAllowedCondition(next, now);
  if (dryRun) return;
  next.status.disruptedPods = { ...next.status.disruptedPods, [podName]: formatTime(now) };
  await store.update(pdb.metadata?.namespace, name, next, requestContext(r, false), 'status');
}

function forbiddenBudget(name: string, why: string): StatusError {
  return new StatusError(403, 'Forbidden', `poddisruptionbudget.policy "${name}" is forbidden: ${why}`,
    { name, group: 'policy', kind: 'poddisruptionbudget' });
}

export async function createEviction(r: RestRequest): Promise<void> {
  const eviction = decodeObject(await readBody(r.req), mediaType(r.req)) as { metadata?: { name?: string }; deleteOptions?: unknown };
  const name = r.info.name!;
  const namespace = r.info.namespace;
  if (eviction.metadata?.name && eviction.metadata.name !== name) {
    throw badRequest(`name in URL does not match name in Eviction object`);
  }
  const options = parseDeleteOptions(eviction.deleteOptions, r.query);
  const dryRun = options.dryRun ?? false;
  const ctx = () => requestContext(r, dryRun);
  const userSetRV = Boolean(options.preconditions?.resourceVersion);

  // Pods a budget does not count are deleted straight away, guarded by the version just read.
  let pod: PodLike | undefined;
  for (let attempt = 1; ; attempt++) {
    pod = (await r.store.get(namespace, name)) as PodLike;
    if (!canIgnoreBudget(pod)) break;
    const opts = shouldEnforceResourceVersion(pod) && !userSetRV ? withResourceVersion(options, pod.metadata?.resourceVersion) : options;
    try {
      await r.store.delete(namespace, name, opts, ctx());
      return writeSuccess(r);
    } catch (e) {
      if (!isConflict(e) || userSetRV || attempt >= EVICTION_ATTEMPTS) throw e;
    }
  }

  const budgets = await budgetsFor(r, pod);
  if (budgets.length > 1) {
    writeObject(r.res, 500, { ...successStatus(), status: 'Failure', message: MULTIPLE_BUDGETS, code: 500 });
    return;
  }
  let guardVersion = false;
  const pdb = budgets[0];
  if (pdb) {
    const st = pdb.status ?? {};
    const unhealthyMayGo = !isPodReady(pod) && (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow'
      || ((st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0));
    if (unhealthyMayGo) {
      // An unready pod is not counted as healthy: deleting it takes nothing from the budget.
      guardVersion = true;
    } else {
      const pdbStore = r.registry.lookup('policy', 'v1', 'poddisruptionbudgets')!;
      let current = pdb;
      for (let attempt = 1; ; attempt++) {
        try {
          await checkAndDecrement(pdbStore, current, name, r, dryRun);
          break;
        } catch (e) {
          if (!isConflict(e) || attempt >= EVICTION_ATTEMPTS) throw e;
          current = (await pdbStore.get(namespace, pdb.metadata!.name!)) as BudgetLike;
        }
      }
    }
  }

  const opts = guardVersion && !userSetRV ? withResourceVersion(options, pod.metadata?.resourceVersion) : options;
  try {
    await r.store.delete(namespace, name, opts, ctx());
  } catch (e) {
    // The pod changed (perhaps became ready) since the budget was consulted: let the client retry.
    if (isConflict(e) && guardVersion && !userSetRV) throw stillProcessing(pdb!.metadata?.name ?? '');
    throw e;
  }
  writeSuccess(r);
}

function writeSuccess(r: RestRequest): void {
  writeObject(r.res, 201, { ...successStatus(), code: 201 });
}
