// One run of a probe's action (the kubelet's prober.runProbe): exec through the runtime with the
// probe's timeout (exit 0 is success, a timeout a failure), httpGet (200–399 success, a redirect
// not followed a success with a warning), tcpSocket (the connection opens) and grpc (the standard
// health service answers SERVING). A thrown error means the probe could not run at all: its
// result is unknown and the caller retries or discards it.
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import { httpGet, httpGetRequest } from './http.js';
import { resolveContainerPort } from './port.js';
import { tcpConnect } from './tcp.js';
import { grpcHealthCheck } from './grpc.js';

export interface ExecResult { exitCode: number; stdout: Buffer; stderr: Buffer }
export type ExecFn = (containerId: string, cmd: string[], timeoutMs: number) => Promise<ExecResult>;

export type ActionResult = 'success' | 'warning' | 'failure';

export interface ActionOutcome {
  result: ActionResult;
  /** What the kubelet puts after "<Type> probe failed: " (or "probe warning: "). */
  output: string;
}

export interface ActionContext {
  container: Container;
  containerId: string;
  podIP?: string;
  exec: ExecFn;
  clock: Clock;
}

/** The kubelet reads at most this much of an exec probe's output. */
export const MAX_EXEC_OUTPUT = 10 * 1024;
/** gRPC code DEADLINE_EXCEEDED, as CRI errors carry it. */
const DEADLINE_EXCEEDED = 4;

export function timeoutMsOf(probe: Probe): number {
  return Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
}

export async function runAction(probe: Probe, ctx: ActionContext): Promise<ActionOutcome> {
  const timeoutMs = timeoutMsOf(probe);
  if (probe.exec) return runExec(probe.exec.command ?? [], timeoutMs, ctx);
  if (probe.httpGet) {
    const req = httpGetRequest(probe.httpGet, ctx.container, ctx.podIP, 'probe');
    let res;
    try {
      res = await httpGet(req, { clock: ctx.clock, timeoutMs, redirects: 'same-host' });
    } catch (err) {
      return { result: 'failure', output: (err as Error).message };
    }
    if (res.status >= 200 && res.status < 400) {
      if (res.status >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${res.body}` };
      return { result: 'success', output: res.body };
    }
    return { result: 'failure', output: `HTTP probe failed with statuscode: ${res.status}` };
  }
  if (probe.tcpSocket) {
    const port = resolveContainerPort(probe.tcpSocket.port, ctx.container);
    const host = probe.tcpSocket.host || ctx.podIP;
    if (!host) throw new Error('failed to find the pod IP for the tcpSocket probe');
    const r = await tcpConnect(host, port, timeoutMs, ctx.clock);
    return { result: r.ok ? 'success' : 'failure', output: r.message };
  }
  if (probe.grpc) {
    if (!ctx.podIP) throw new Error('failed to find the pod IP for the grpc probe');
    const r = await grpcHealthCheck(ctx.podIP, probe.grpc.port, probe.grpc.service ?? '', timeoutMs, ctx.clock);
    return { result: r.ok ? 'success' : 'failure', output: r.message };
  }
  throw new Error('missing probe handler');
}

async function runExec(cmd: string[], timeoutMs: number, ctx: ActionContext): Promise<ActionOutcome> {
  const timedOut: ActionOutcome = { result: 'failure', output: `command ${JSON.stringify(cmd.join(' '))} timed out` };
  let timer: { cancel(): void } | undefined;
  const deadline = new Promise<ActionOutcome>((resolve) => {
    timer = ctx.clock.setTimeout(() => resolve(timedOut), timeoutMs);
  });
  const run = ctx.exec(ctx.containerId, cmd, timeoutMs).then(
    (r): ActionOutcome => {
      const out = Buffer.concat([r.stdout, r.stderr]).subarray(0, MAX_EXEC_OUTPUT).toString('utf8');
      return { result: r.exitCode === 0 ? 'success' : 'failure', output: out };
    },
    (err: unknown): ActionOutcome => {
      if ((err as { code?: unknown }).code === DEADLINE_EXCEEDED) return timedOut;
      throw err;
    },
  );
  try {
    return await Promise.race([run, deadline]);
  } finally {
    timer?.cancel();
    run.catch(() => undefined);
  }
}
