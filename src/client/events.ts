// Writes core/v1 Events about objects, as client-go's recorder does: in the object's namespace,
// off the caller's path, and with repeats folded into one Event whose count goes up.
import type { Event as WireEvent } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../apimachinery/clock.js';
import { formatTime } from '../apimachinery/duration.js';
import { silentLogger, type Logger } from '../apimachinery/log.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { EventRecorder, EventType } from './controller.js';
import { isNotFound } from './errors.js';
import type { ApiClient, ResourceClient } from './rest.js';

export type Event = WireEvent & KubeObject;

export interface EventRecorderOptions {
  /** Reported as source.component and reportingComponent (e.g. `deployment-controller`). */
  component: string;
  /** Reported as source.host and reportingInstance. */
  host?: string;
  clock: Clock;
  logger?: Logger;
  /** Recent events remembered for folding repeats (default 4096). */
  cacheSize?: number;
}

export interface QueuedEventRecorder extends EventRecorder {
  /** Resolves once every event recorded so far has been written (or has failed). */
  flush(): Promise<void>;
}

/** Repeats within this window bump the existing Event instead of creating another. */
export const aggregationWindowMs = 10 * 60 * 1000;

interface Recent {
  namespace: string;
  name: string;
  count: number;
  firstTimestamp: string;
  lastSeenMs: number;
  /** The chain of this event's writes, so a bump never overtakes the create it bumps. */
  written: Promise<void>;
}

/** `<objectName>.<16 hex digits>`: the time in nanoseconds, as Kubernetes names events. */
function eventName(objectName: string, nowMs: number): string {
  const nanos = BigInt(Math.floor(nowMs)) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000));
  return `${objectName}.${nanos.toString(16).padStart(16, '0').slice(-16)}`;
}

export function createEventRecorder(client: ApiClient, opts: EventRecorderOptions): QueuedEventRecorder {
  const events: ResourceClient<Event> = client.kind<Event>('v1', 'Event');
  const logger = (opts.logger ?? silentLogger).with({ component: opts.component });
  const cacheSize = opts.cacheSize ?? 4096;
  const recent = new Map<string, Recent>();
  const inFlight = new Set<Promise<void>>();

  const track = (p: Promise<void>): Promise<void> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };

  const describe = (obj: KubeObject) => `${obj.kind ?? 'object'} ${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name ?? ''}`;

  function build(obj: KubeObject, entry: Recent, type: EventType, reason: string, message: string): Event {
    const meta = obj.metadata ?? {};
    const stamp = formatTime(entry.lastSeenMs);
    return {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: entry.name, namespace: entry.namespace },
      involvedObject: {
        kind: obj.kind, apiVersion: obj.apiVersion, name: meta.name, namespace: meta.namespace || undefined,
        uid: meta.uid, resourceVersion: meta.resourceVersion,
      },
      reason, message, type,
      source: { component: opts.component, ...(opts.host ? { host: opts.host } : {}) },
      firstTimestamp: entry.firstTimestamp, lastTimestamp: stamp, count: entry.count,
      reportingComponent: opts.component, reportingInstance: opts.host ?? '',
    };
  }

  async function create(event: Event): Promise<void> {
    await events.create(event.metadata!.namespace, event);
  }

  function record(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const meta = obj.metadata ?? {};
    if (!meta.name) {
      logger.warn(`event ${reason} dropped: the object has no name`);
      return;
    }
    const now = opts.clock.now();
    const key = JSON.stringify([meta.uid ?? `${meta.namespace ?? ''}/${meta.name}`, type, reason, message]);
    const seen = recent.get(key);
    if (seen && now - seen.lastSeenMs <= aggregationWindowMs) {
      // A repeat: count it now, write it after the writes before it.
      recent.delete(key);
      recent.set(key, seen);
      seen.count++;
      seen.lastSeenMs = now;
      const event = build(obj, seen, type, reason, message);
      seen.written = track(seen.written.then(async () => {
        try {
          await events.patch(seen.namespace, seen.name, { count: event.count, lastTimestamp: event.lastTimestamp }, 'merge');
        } catch (err) {
          // The Event is gone (deleted or expired): write it afresh, count and all.
          if (!isNotFound(err)) throw err;
          await create(event);
        }
      }).catch((err: unknown) => logger.warn(`could not update event ${reason} on ${describe(obj)}: ${errorText(err)}`)));
      return;
    }
    const entry: Recent = {
      namespace: meta.namespace || 'default',
      name: eventName(meta.name, now),
      count: 1,
      firstTimestamp: formatTime(now),
      lastSeenMs: now,
      written: Promise.resolve(),
    };
    if (seen) recent.delete(key);
    recent.set(key, entry);
    while (recent.size > cacheSize) recent.delete(recent.keys().next().value as string);
    const event = build(obj, entry, type, reason, message);
    entry.written = track(create(event)
      .catch((err: unknown) => logger.warn(`could not write event ${reason} on ${describe(obj)}: ${errorText(err)}`)));
  }

  return {
    event(obj, type, reason, message) {
      try {
        record(obj, type, reason, message);
      } catch (err) {
        logger.warn(`could not record event ${reason}: ${errorText(err)}`);
      }
    },
    async flush() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
