// What the userspace proxy's TCP and UDP listeners share: the context they run in, the counters
// they keep, and the small interface the proxier drives them through.
import type { Clock } from '../apimachinery/clock.js';
import type { Logger } from '../apimachinery/log.js';
import type { RoundRobinBalancer, TrafficKind } from './userspace-balancer.js';

export interface UserspaceStats {
  syncs: number;
  /** TCP connections accepted on a service address. */
  accepted: number;
  /** Connections made to an endpoint (after any retries). */
  proxied: number;
  /** Attempts to connect to an endpoint that failed or timed out. */
  dialFailures: number;
  /** TCP connections closed at once, or UDP datagrams dropped, for want of an endpoint. */
  noEndpoint: number;
  /** Errors on proxied sockets (resets, broken pipes, ...). */
  socketErrors: number;
  /** Listeners that could not be opened (address in use, not local, ...). */
  bindFailures: number;
  /** `ip addr` commands that failed. */
  addressFailures: number;
  /** UDP client associations made. */
  udpAssociations: number;
}

export function emptyStats(): UserspaceStats {
  return { syncs: 0, accepted: 0, proxied: 0, dialFailures: 0, noEndpoint: 0, socketErrors: 0, bindFailures: 0, addressFailures: 0, udpAssociations: 0 };
}

export interface ListenerContext {
  balancer: RoundRobinBalancer;
  kind: TrafficKind;
  clock: Clock;
  log: Logger;
  stats: UserspaceStats;
}

export interface ServiceListener {
  readonly host: string;
  readonly port: number;
  /** Binds; rejects with the bind error (e.g. EADDRINUSE, EADDRNOTAVAIL). */
  listen(): Promise<void>;
  /** Stops accepting; what is already proxied may finish (`drop` ends it too). */
  close(drop?: boolean): Promise<void>;
  /** Open proxied connections (TCP) or client associations (UDP). */
  readonly active: number;
}

/** A client's address without an IPv4-mapped prefix. */
export function plainAddress(addr: string | undefined): string {
  if (!addr) return '';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
