// The probe manager and lifecycle hooks as the pod workers use them: results for restart and
// status decisions, the runtime's containers after each sync, postStart failing a start, and
// preStop returning the grace left for the stop.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import type { ExecFn } from '../probes/action.js';
import { runHandler, runPreStopHook } from '../probes/lifecycle.js';
import type { ProbeManager } from '../probes/manager.js';
import type { RuntimeService } from '../cri/types.js';
import type { PodRuntimeState } from '../pods/runtime-state.js';
import type { PodProbes } from './sync.js';

/** ExecSync through the CRI, for exec probes and hooks. */
export function criExec(runtime: RuntimeService): ExecFn {
  return async (containerId, cmd, timeoutMs) => {
    const timeout = timeoutMs > 0 ? Math.ceil(timeoutMs / 1000) : 0;
    const r = await runtime.execSync({ containerId, cmd, timeout }, timeoutMs > 0 ? { timeoutMs: timeoutMs + 5000 } : {});
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  };
}

export function managedProbes(manager: ProbeManager, exec: ExecFn, clock: Clock, record: (pod: Pod, reason: string, message: string) => void): PodProbes {
  const podIP = new Map<string, string | undefined>();
  return {
    results: manager,
    updatePod(pod: Pod, state: PodRuntimeState, podIPs: string[]) {
      const uid = pod.metadata?.uid ?? '';
      podIP.set(uid, podIPs[0]);
      const seen = new Set<string>();
      const containers = state.containers.filter((c) => !seen.has(c.name) && seen.add(c.name))
        .map((c) => ({ name: c.name, id: c.id, startedAt: c.startedAt, running: c.state === 'running' }));
      manager.updatePod(pod, containers, podIPs[0]);
    },
    removePod(uid: string) {
      podIP.delete(uid);
      manager.removePod(uid);
    },
    async postStart(pod: Pod, c: Container, containerId: string) {
      const handler = c.lifecycle?.postStart;
      if (!handler) return;
      const r = await runHandler(handler, { pod, container: c, containerId, podIP: podIP.get(pod.metadata?.uid ?? ''), exec, clock });
      if (!r.ok) throw new Error(r.message);
    },
    async preStop(pod: Pod, c: Container, containerId: string, graceSeconds: number) {
      const handler = c.lifecycle?.preStop;
      if (!handler) return graceSeconds;
      const ctx = { pod, container: c, containerId, podIP: podIP.get(pod.metadata?.uid ?? ''), exec, clock };
      const r = await runPreStopHook(handler, ctx, graceSeconds, (reason, message) => record(pod, reason, message));
      return r.remainingGraceSeconds;
    },
  };
}
