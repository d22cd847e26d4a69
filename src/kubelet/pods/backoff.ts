// CrashLoopBackOff: a container that exited waits before it is started again — 10 s, doubling
// with every further exit, at most 5 min — counted from when it last finished. An entry not
// touched for twice the maximum (a container that ran 10 minutes) starts again from 10 s.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../apimachinery/clock.js';

export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;

interface Entry { backoffMs: number; lastUpdate: number }

/** A Go-style duration: `10s`, `1m20s`, `5m0s`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${s % 60}s`;
}

/** `name_namespace(uid)`, as the kubelet names a pod in its messages. */
export function formatPod(pod: Pod): string {
  const m = pod.metadata ?? {};
  return `${m.name ?? ''}_${m.namespace ?? ''}(${m.uid ?? ''})`;
}

export function backoffKey(pod: Pod, containerName: string, hash = ''): string {
  const m = pod.metadata ?? {};
  return `${m.name}_${m.namespace}_${m.uid}_${containerName}_${hash}`;
}

export interface BackoffDecision {
  /** True while the container must not be started. */
  inBackoff: boolean;
  /** `back-off 20s restarting failed container=x pod=y_ns(uid)`, the waiting message. */
  message?: string;
  /** The event the kubelet records while backing off. */
  event?: { reason: 'BackOff'; message: string };
  /** When the container may start (ms since epoch). */
  retryAt?: number;
}

export class CrashLoopBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    readonly initialMs = INITIAL_BACKOFF_MS,
    readonly maxMs = MAX_BACKOFF_MS,
  ) {}

  private expired(eventTime: number, e: Entry): boolean {
    return eventTime - e.lastUpdate > 2 * this.maxMs;
  }

  /** The current delay of a key (0 when none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Whether `finishedAt` (the last exit) is still inside the key's back-off window. */
  isInBackoffSince(key: string, finishedAt: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(finishedAt, e)) return false;
    return this.clock.now() - finishedAt < e.backoffMs;
  }

  /** Records a restart: the first (or the first after a long run) waits initialMs, later ones double. */
  next(key: string, eventTime: number): void {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: this.clock.now() });
    } else {
      e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
      e.lastUpdate = this.clock.now();
    }
  }

  /**
   * The kubelet's check before restarting an exited container: in back-off, say so; otherwise
   * count this restart. `finishedAt` is when the latest instance exited.
   */
  check(pod: Pod, containerName: string, finishedAt: number, hash = ''): BackoffDecision {
    const key = backoffKey(pod, containerName, hash);
    if (this.isInBackoffSince(key, finishedAt)) {
      const delay = this.get(key);
      return {
        inBackoff: true,
        message: `back-off ${formatDuration(delay)} restarting failed container=${containerName} pod=${formatPod(pod)}`,
        event: { reason: 'BackOff', message: `Back-off restarting failed container ${containerName} in pod ${formatPod(pod)}` },
        retryAt: finishedAt + delay,
      };
    }
    this.next(key, finishedAt);
    return { inBackoff: false };
  }

  /** Drops entries idle for more than twice the maximum. */
  gc(): void {
    const now = this.clock.now();
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.maxMs) this.entries.delete(k);
  }

  /** Forgets a pod's containers (when the pod is gone). */
  forgetPod(pod: Pod): void {
    this.forgetPrefix(`${pod.metadata?.name}_${pod.metadata?.namespace}_${pod.metadata?.uid}_`);
  }

  /** Forgets every key that starts with `prefix`. */
  forgetPrefix(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  /** Whether the key has an entry (for tests and callers that keep data beside it). */
  has(key: string): boolean {
    return this.entries.has(key);
  }
}
