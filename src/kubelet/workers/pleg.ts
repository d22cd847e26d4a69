// The pod lifecycle event generator: relists the runtime's sandboxes and containers and tells
// which pods changed (a container started, exited or vanished, a sandbox stopped), so their
// workers sync without waiting for the periodic resync.
import type { CriServices } from '../runtime/manager.js';
import { POD_UID_LABEL } from '../pods/labels.js';

export class PodLifecycleEvents {
  private last = new Map<string, string>();

  constructor(private readonly cri: CriServices) {}

  /** Relists; returns the UIDs whose runtime state changed, and every UID the runtime holds. */
  async relist(): Promise<{ changed: string[]; present: Set<string> }> {
    const [s, c] = await Promise.all([this.cri.runtime.listPodSandbox({}), this.cri.runtime.listContainers({})]);
    const parts = new Map<string, string[]>();
    const add = (uid: string | undefined, part: string) => {
      if (!uid) return;
      let l = parts.get(uid);
      if (!l) parts.set(uid, (l = []));
      l.push(part);
    };
    for (const sb of s.items) add(sb.labels?.[POD_UID_LABEL] ?? sb.metadata?.uid, `s:${sb.id}:${sb.state}`);
    for (const ct of c.containers) add(ct.labels?.[POD_UID_LABEL], `c:${ct.id}:${ct.state}`);
    const now = new Map<string, string>();
    for (const [uid, l] of parts) now.set(uid, l.sort().join(','));
    const changed: string[] = [];
    for (const uid of new Set([...now.keys(), ...this.last.keys()])) if (now.get(uid) !== this.last.get(uid)) changed.push(uid);
    this.last = now;
    return { changed, present: new Set(now.keys()) };
  }
}
