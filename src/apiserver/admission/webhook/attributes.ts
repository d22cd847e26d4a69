// What an admission webhook is told about one write: Kubernetes' admission.Attributes.
import type { KubeObject } from '../../../apimachinery/object.js';
import type { ResourceType } from '../../../api/types.js';
import type { UserInfo } from '../../registry/strategy.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionAttributes {
  operation: AdmissionOperation;
  /** The resource the request addressed (its group, version, kind and plural). */
  rt: Pick<ResourceType, 'group' | 'version' | 'kind' | 'plural' | 'namespaced'>;
  /** `status`, `scale`, …; empty for the main resource. */
  subresource: string;
  namespace?: string;
  name: string;
  /** The object being written; absent for DELETE. Mutating webhooks change it in place. */
  object?: KubeObject;
  /** The stored object for UPDATE and DELETE. */
  oldObject?: KubeObject;
  user: UserInfo;
  dryRun: boolean;
  /** CreateOptions, UpdateOptions or DeleteOptions, as sent to webhooks. */
  options?: Record<string, unknown>;
}

/** The kinds webhooks are never called for, so a broken webhook cannot lock out its own repair. */
export function isWebhookExempt(a: Pick<AdmissionAttributes, 'rt'>): boolean {
  return a.rt.group === 'admissionregistration.k8s.io';
}
