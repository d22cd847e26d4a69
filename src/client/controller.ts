// What every controller gets, and what it must offer, so `kite server` and
// `kite controller-manager` can run any of them the same way.
import type { Clock } from '../apimachinery/clock.js';
import type { Logger } from '../apimachinery/log.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { InformerFactory } from './informer-types.js';
import type { ApiClient } from './rest.js';

export type EventType = 'Normal' | 'Warning';

/** Writes Events about objects, so `kubectl describe` shows what a controller did and why. */
export interface EventRecorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export interface ControllerContext {
  client: ApiClient;
  informers: InformerFactory;
  clock: Clock;
  logger: Logger;
  /** A recorder reporting as the given component (e.g. `deployment-controller`). */
  recorder(component: string): EventRecorder;
  /** Tunables some controllers read (e.g. node eviction's tolerationSeconds default). */
  options: ControllerOptions;
}

export interface ControllerOptions {
  /** Seconds before a node without heartbeats is marked Ready=Unknown (Kubernetes: 40). */
  nodeMonitorGracePeriodSeconds: number;
  /** Default tolerationSeconds for the not-ready/unreachable taints (Kubernetes: 300). */
  defaultTolerationSeconds: number;
  /** Terminated pods kept before Pod GC deletes the oldest (Kubernetes: 12500). */
  terminatedPodGCThreshold: number;
  /** Workers per controller. */
  workers: number;
}

export const defaultControllerOptions: ControllerOptions = {
  nodeMonitorGracePeriodSeconds: 40,
  defaultTolerationSeconds: 300,
  terminatedPodGCThreshold: 12500,
  workers: 2,
};

export interface Controller {
  readonly name: string;
  /** Runs until the signal aborts; resolves after its workers have stopped. */
  run(ctx: ControllerContext, signal: AbortSignal): Promise<void>;
}
