// Carrying out a preemption through the API as kube-scheduler does: each victim parked at Permit
// is rejected, every other victim gets a DisruptionTarget condition and is deleted (victims
// concurrently), each gets a Preempted event, and lower-priority pods nominated to the node lose
// their nomination.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { formatTime } from '../../../apimachinery/duration.js';
import type { KubeObject } from '../../../apimachinery/object.js';
import { isConflict, isNotFound } from '../../../client/errors.js';
import type { Handle } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import type { Candidate } from './candidates.js';
import { podPriority } from './victims.js';

export const DISRUPTION_TARGET = 'DisruptionTarget';
export const REASON_PREEMPTION_BY_SCHEDULER = 'PreemptionByScheduler';
export const EVENT_PREEMPTED = 'Preempted';
/** What a victim waiting at Permit is rejected with. */
export const MSG_WAITING_POD_PREEMPTED = 'preempted';

export const preemptedMessage = (preemptor: Pod, nodeName: string): string =>
  `Preempted by pod ${preemptor.metadata?.uid ?? ''} on node ${nodeName}`;

export const disruptionMessage = (preemptor: Pod): string =>
  `${preemptor.spec?.schedulerName || 'default-scheduler'}: preempting to accommodate a higher priority pod`;

const pods = (h: Handle) => h.client.kind<Pod & KubeObject>('v1', 'Pod');
const key = (p: Pod) => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

/** The victim is being deleted because the scheduler preempted it. */
export function podTerminatingByPreemption(p: Pod): boolean {
  if (!p.metadata?.deletionTimestamp) return false;
  const c = (p.status?.conditions ?? []).find((x) => x.type === DISRUPTION_TARGET);
  return !!c && c.status === 'True' && c.reason === REASON_PREEMPTION_BY_SCHEDULER;
}

/** Rejects or evicts one victim; false when it was already gone (no event then). */
async function preemptPod(h: Handle, pluginName: string, preemptor: Pod, victim: Pod): Promise<boolean> {
  const waiting = victim.metadata?.uid ? h.getWaitingPod(victim.metadata.uid) : undefined;
  if (waiting) {
    waiting.reject(pluginName, MSG_WAITING_POD_PREEMPTED);
    return true;
  }
  const ns = victim.metadata?.namespace;
  const name = victim.metadata!.name!;
  const message = disruptionMessage(preemptor);
  const old = (victim.status?.conditions ?? []).find((c) => c.type === DISRUPTION_TARGET);
  if (!old || old.status !== 'True' || old.reason !== REASON_PREEMPTION_BY_SCHEDULER || old.message !== message) {
    const cond: PodCondition = {
      type: DISRUPTION_TARGET, status: 'True', reason: REASON_PREEMPTION_BY_SCHEDULER, message,
      lastTransitionTime: old?.status === 'True' && old.lastTransitionTime ? old.lastTransitionTime : formatTime(h.clock.now()),
    };
    try {
      await pods(h).patch(ns, name, { status: { conditions: [cond] } }, 'strategic', { subresource: 'status' });
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }
  try {
    await pods(h).delete(ns, name, victim.metadata?.uid ? { preconditions: { uid: victim.metadata.uid } } : {});
  } catch (e) {
    // A uid mismatch means the victim is gone and another pod took its name.
    if (isNotFound(e) || isConflict(e)) return false;
    throw e;
  }
  return true;
}

/**
 * Evicts the candidate's victims for `preemptor` (all at once, as kube-scheduler's parallel
 * preemption does; each victim's own patch and delete stay in order) and clears the nominations
 * of lower-priority pods on the node. Victims already being deleted are left alone; when one
 * cannot be preempted the others still are and the first error is returned.
 */
export async function prepareCandidate(h: Handle, pluginName: string, c: Candidate, preemptor: Pod): Promise<Status> {
  const victims = c.victims.pods.filter((v) => !v.metadata?.deletionTimestamp);
  const results = await Promise.all(victims.map(async (victim) => {
    try {
      if (await preemptPod(h, pluginName, preemptor, victim)) {
        h.recorder.event(victim as Pod & KubeObject, 'Normal', EVENT_PREEMPTED, preemptedMessage(preemptor, c.name));
      }
      return undefined;
    } catch (e) {
      h.logger.warn('could not preempt pod', { pod: key(victim), preemptor: key(preemptor), node: c.name, error: String(e) });
      return Status.error(e instanceof Error ? e.message : String(e));
    }
  }));
  const failed = results.find((r) => r !== undefined);
  if (failed) return failed;
  const prio = podPriority(preemptor);
  const lower = h.nominator.nominatedPodsForNode(c.name).filter((p) => podPriority(p) < prio);
  await clearNominatedNodeName(h, lower);
  return Status.success();
}

/** Drops the pods' nominations, in the queue and in their status; failures are only logged. */
export async function clearNominatedNodeName(h: Handle, list: Pod[]): Promise<void> {
  for (const p of list) {
    h.nominator.deleteNominatedPodIfExists(p);
    if (!p.status?.nominatedNodeName) continue;
    try {
      await pods(h).patch(p.metadata?.namespace, p.metadata!.name!, { status: { nominatedNodeName: null } }, 'merge', { subresource: 'status' });
    } catch (e) {
      if (!isNotFound(e)) h.logger.warn('could not clear the nominated node of a pod', { pod: key(p), error: String(e) });
    }
  }
}
