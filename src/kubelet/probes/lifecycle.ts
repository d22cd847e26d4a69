// Container lifecycle hooks (the kubelet's handler runner): postStart and preStop handlers of kind
// exec (through the runtime), httpGet (`kube-lifecycle/<version>`, any status is an answer, an
// HTTPS request answered in plain HTTP is retried over HTTP) and sleep; failures come back as the
// kubelet's messages, with the event reasons and the container status the caller reports. How
// long a container gets to stop is decided in one place, pods/grace.ts.
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import { realClock, type Clock } from '../../apimachinery/clock.js';
import type { ExecFn } from './action.js';
import { httpGet, httpGetRequest, isPlainHttpAnswer } from './http.js';

export const FAILED_POST_START_HOOK = 'FailedPostStartHook';
export const FAILED_PRE_STOP_HOOK = 'FailedPreStopHook';
/** The waiting reason of a container whose postStart hook failed. */
export const POST_START_HOOK_ERROR = 'PostStartHookError';
/** The preStop event's message: the hook's own output may hold secrets, so it is not repeated. */
export const PRE_STOP_HOOK_FAILED_MESSAGE = 'PreStopHook failed';
/** The kubelet leaves a container at least this long to stop after its preStop hook. */
export const MIN_GRACE_PERIOD_SECONDS = 2;

export interface HookContext {
  pod: Pod;
  container: Container;
  containerId: string;
  podIP?: string;
  exec: ExecFn;
  /** 0 or absent: no limit (the kubelet runs exec hooks without one). */
  timeoutMs?: number;
  signal?: AbortSignal;
  clock?: Clock;
}

export type HookResult = { ok: true } | { ok: false; message: string };

/** `name_namespace(uid)`, as the kubelet names a pod in messages. */
export function formatPod(pod: Pod): string {
  return `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;
}

export async function runHandler(handler: LifecycleHandler, ctx: HookContext): Promise<HookResult> {
  const where = `for Container ${JSON.stringify(ctx.container.name)} in Pod ${JSON.stringify(formatPod(ctx.pod))}`;
  const clock = ctx.clock ?? realClock;
  if (handler.exec) {
    const cmd = handler.exec.command ?? [];
    let output = '';
    let error: string | undefined;
    try {
      const r = await ctx.exec(ctx.containerId, cmd, ctx.timeoutMs ?? 0);
      output = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
      if (r.exitCode !== 0) error = `command '${cmd.join(' ')}' exited with ${r.exitCode}: ${r.stderr.toString('utf8')}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    if (error === undefined) return { ok: true };
    return { ok: false, message: `Exec lifecycle hook ([${cmd.join(' ')}]) ${where} failed - error: ${error}, message: ${JSON.stringify(output)}` };
  }
  if (handler.httpGet) {
    try {
      const req = httpGetRequest(handler.httpGet, ctx.container, ctx.podIP, 'lifecycle');
      const opts = { clock, timeoutMs: ctx.timeoutMs || undefined, redirects: 'any' as const, signal: ctx.signal };
      try {
        await httpGet(req, opts);
      } catch (err) {
        if (req.url.protocol !== 'https:' || !isPlainHttpAnswer(err)) throw err;
        req.url.protocol = 'http:';
        req.headers.delete('Authorization');
        await httpGet(req, opts);
      }
      return { ok: true };
    } catch (err) {
      return { ok: false, message: `HTTP lifecycle hook (${handler.httpGet.path ?? ''}) ${where} failed - error: ${(err as Error).message}` };
    }
  }
  if (handler.sleep) {
    const seconds = handler.sleep.seconds;
    const finished = await new Promise<boolean>((resolve) => {
      if (ctx.signal?.aborted) return resolve(false);
      const onAbort = () => { timer.cancel(); resolve(false); };
      const timer = clock.setTimeout(() => { ctx.signal?.removeEventListener('abort', onAbort); resolve(true); }, seconds * 1000);
      ctx.signal?.addEventListener('abort', onAbort, { once: true });
    });
    if (finished) return { ok: true };
    return { ok: false, message: `Sleep lifecycle hook (${seconds}) ${where} failed - error: container terminated before sleep hook finished` };
  }
  return { ok: false, message: 'Cannot run handler: Invalid handler' };
}

/**
 * Runs a preStop hook for at most the grace period (the kubelet does not wait longer); the grace
 * left for stopping the container is what remains, and never under two seconds.
 */
export async function runPreStopHook(handler: LifecycleHandler, ctx: HookContext, gracePeriodSeconds: number, record?: (reason: string, message: string) => void): Promise<{ ok: boolean; remainingGraceSeconds: number }> {
  const clock = ctx.clock ?? realClock;
  const start = clock.now();
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: { cancel(): void } | undefined;
  const hook = runHandler(handler, { ...ctx, signal: ac.signal, timeoutMs: ctx.timeoutMs ?? gracePeriodSeconds * 1000 }).then((r) => {
    if (!r.ok) record?.(FAILED_PRE_STOP_HOOK, PRE_STOP_HOOK_FAILED_MESSAGE);
    return r.ok;
  });
  const expired = new Promise<boolean>((resolve) => { timer = clock.setTimeout(() => resolve(false), gracePeriodSeconds * 1000); });
  const ok = await Promise.race([hook, expired]);
  timer?.cancel();
  ctx.signal?.removeEventListener('abort', onAbort);
  if (!ok) ac.abort();
  const elapsed = Math.floor((clock.now() - start) / 1000);
  return { ok, remainingGraceSeconds: Math.max(MIN_GRACE_PERIOD_SECONDS, gracePeriodSeconds - elapsed) };
}
