// Removes a pod's cgroups (cgroup v1, cgroupfs driver) once nothing of it runs: runc removes the
// containers' cgroups but leaves the pod-level parent the sandbox config named, as the kubelet's
// pod container manager would remove it.
import { readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

export const CGROUPFS_ROOT = '/sys/fs/cgroup';

/** The pod's cgroup in every QoS class it may have had, relative to a hierarchy. */
export function podCgroupCandidates(uid: string, root = 'kubepods'): string[] {
  return [`${root}/pod${uid}`, `${root}/burstable/pod${uid}`, `${root}/besteffort/pod${uid}`];
}

export async function removePodCgroups(uid: string, cgroupfs = CGROUPFS_ROOT): Promise<void> {
  if (!uid || uid.includes('/')) return;
  const hierarchies = await readdir(cgroupfs).catch(() => [] as string[]);
  for (const h of hierarchies) {
    for (const rel of podCgroupCandidates(uid)) {
      // An empty cgroup directory is removed with rmdir; a busy or absent one stays as it is.
      await rmdir(join(cgroupfs, h, rel)).catch(() => undefined);
    }
  }
}
