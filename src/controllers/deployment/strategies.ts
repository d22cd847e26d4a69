// The two rollout strategies: RollingUpdate moves replicas from old sets to the new one within
// the surge and unavailability budget; Recreate empties the old sets before filling the new one.
import type { Rollout } from './rollout.js';
import type { ReplicaSet } from './types.js';
import {
  activeSets, actualReplicaCount, availableReplicaCount, byCreation, newRSNewReplicas, maxUnavailable, replicaCount,
  replicasOf, specReplicas,
} from './util.js';
import { deploymentComplete } from './conditions.js';

export async function rolloutRolling(r: Rollout): Promise<void> {
  const { newRS, oldRSs } = await r.getAllReplicaSetsAndSyncRevision(true);
  const n = newRS!;
  if (await reconcileNewReplicaSet(r, [...oldRSs, n], n)) {
    const c = r.current(n, oldRSs);
    await r.syncRolloutStatus([...c.oldRSs, c.newRS], c.newRS);
    return;
  }
  if (await reconcileOldReplicaSets(r, [...oldRSs, n], activeSets(oldRSs), n)) {
    const c = r.current(n, oldRSs);
    await r.syncRolloutStatus([...c.oldRSs, c.newRS], c.newRS);
    return;
  }
  if (deploymentComplete(r.d, r.d.status ?? {})) await r.cleanup(oldRSs);
  await r.syncRolloutStatus([...oldRSs, n], n);
}

async function reconcileNewReplicaSet(r: Rollout, all: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const want = replicasOf(r.d);
  if (specReplicas(newRS) === want) return false;
  if (specReplicas(newRS) > want) return (await r.scaleReplicaSet(newRS, want, 'down')).scaled;
  return (await r.scaleReplicaSet(newRS, newRSNewReplicas(r.d, all, newRS), 'up')).scaled;
}

async function reconcileOldReplicaSets(r: Rollout, all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const d = r.d;
  if (replicaCount(oldRSs) === 0) return false;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = replicaCount(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  // Unhealthy old pods go first: removing them costs no availability.
  const { sets, scaled: cleaned } = await cleanupUnhealthyReplicas(r, oldRSs, maxScaledDown);
  const scaledDown = await scaleDownOldForRollingUpdate(r, [...sets, newRS], sets);
  return cleaned + scaledDown > 0;
}

async function cleanupUnhealthyReplicas(r: Rollout, oldRSs: ReplicaSet[], max: number): Promise<{ sets: ReplicaSet[]; scaled: number }> {
  const sets = [...oldRSs].sort(byCreation);
  let total = 0;
  for (let i = 0; i < sets.length; i++) {
    if (total >= max) break;
    const rs = sets[i];
    const unhealthy = specReplicas(rs) - (rs.status?.availableReplicas ?? 0);
    if (specReplicas(rs) === 0 || unhealthy <= 0) continue;
    const down = Math.min(max - total, unhealthy);
    sets[i] = (await r.scaleReplicaSet(rs, specReplicas(rs) - down, 'down')).rs;
    total += down;
  }
  return { sets, scaled: total };
}

async function scaleDownOldForRollingUpdate(r: Rollout, all: ReplicaSet[], oldRSs: ReplicaSet[]): Promise<number> {
  const d = r.d;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = availableReplicaCount(all);
  if (available <= minAvailable) return 0;
  const budget = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= budget) break;
    if (specReplicas(rs) === 0) continue;
    const down = Math.min(specReplicas(rs), budget - total);
    await r.scaleReplicaSet(rs, specReplicas(rs) - down, 'down');
    total += down;
  }
  return total;
}

export async function rolloutRecreate(r: Rollout): Promise<void> {
  let { newRS, oldRSs } = await r.getAllReplicaSetsAndSyncRevision(false);
  let scaledDown = false;
  for (const rs of activeSets(oldRSs)) {
    if ((await r.scaleReplicaSet(rs, 0, 'down')).scaled) scaledDown = true;
  }
  if (scaledDown) {
    const c = r.current(newRS, oldRSs);
    await r.syncRolloutStatus([...c.oldRSs, c.newRS], c.newRS);
    return;
  }
  if (oldPodsRunning(r, newRS, oldRSs)) {
    await r.syncRolloutStatus([...oldRSs, newRS], newRS);
    return;
  }
  if (!newRS) ({ newRS, oldRSs } = await r.getAllReplicaSetsAndSyncRevision(true));
  await r.scaleReplicaSet(newRS!, replicasOf(r.d), 'up');
  const c = r.current(newRS, oldRSs);
  if (deploymentComplete(r.d, r.d.status ?? {})) await r.cleanup(c.oldRSs);
  await r.syncRolloutStatus([...c.oldRSs, c.newRS], c.newRS);
}

/** Old sets still report pods, or some old pod has not finished (Unknown counts as running). */
function oldPodsRunning(r: Rollout, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of r.podMap) {
    if (newRS && newRS.metadata?.uid === uid) continue;
    for (const p of pods) {
      const phase = p.status?.phase;
      if (phase !== 'Failed' && phase !== 'Succeeded') return true;
    }
  }
  return false;
}
