// The shape every stored API object shares, independent of its kind.
import type { ObjectMeta as WireObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';

export type { OwnerReference };

/** ObjectMeta as the server handles it: the fields clients must not set are still ours to write. */
export type ObjectMeta = { -readonly [K in keyof WireObjectMeta]: WireObjectMeta[K] };

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

export interface GroupVersionKind { group: string; version: string; kind: string }
export interface GroupVersionResource { group: string; version: string; resource: string }

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Watch event types exactly as the wire protocol names them. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T = KubeObject> { type: WatchEventType; object: T }
