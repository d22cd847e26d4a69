// AdmissionReview requests and the checks on their answers (k8s.io/apiserver's
// CreateAdmissionObjects and VerifyAdmissionResponse, for admission.k8s.io/v1 and v1beta1).
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { AdmissionAttributes } from './attributes.js';
import type { MatchedResource } from './matching.js';

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code?: number; reason?: string; message?: string; status?: string; details?: unknown };
  patch?: string;
  patchType?: string;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

/** The review version to speak: the first one the webhook lists that we know. */
export function reviewVersion(versions: string[] | undefined): string | undefined {
  return (versions ?? []).find((v) => v === 'v1' || v === 'v1beta1');
}

/** The object as the webhook's version of the resource names it (conversion None: apiVersion only). */
function inVersion(obj: KubeObject | undefined, r: MatchedResource): KubeObject | undefined {
  if (!obj) return undefined;
  return { ...obj, apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind };
}

export function admissionReview(a: AdmissionAttributes, r: MatchedResource, version: string): { uid: string; review: unknown } {
  const uid = randomUUID();
  const request: Record<string, unknown> = {
    uid,
    kind: { group: r.group, version: r.version, kind: r.kind },
    resource: { group: r.group, version: r.version, resource: r.plural },
    requestKind: { group: a.rt.group, version: a.rt.version, kind: a.rt.kind },
    requestResource: { group: a.rt.group, version: a.rt.version, resource: a.rt.plural },
    name: a.name,
    operation: a.operation,
    userInfo: { username: a.user.name, groups: a.user.groups },
    object: inVersion(a.object, r) ?? null,
    oldObject: inVersion(a.oldObject, r) ?? null,
    dryRun: a.dryRun,
  };
  if (a.subresource) { request.subResource = a.subresource; request.requestSubResource = a.subresource; }
  if (a.namespace) request.namespace = a.namespace;
  if (a.options) request.options = a.options;
  return { uid, review: { apiVersion: `admission.k8s.io/${version}`, kind: 'AdmissionReview', request } };
}

/** The answer's response, or a message saying why it cannot be used. */
export function verifyResponse(answer: unknown, uid: string, version: string, mutating: boolean): AdmissionResponse | string {
  const review = answer as { apiVersion?: string; kind?: string; response?: AdmissionResponse } | null;
  if (!review || typeof review !== 'object') return 'webhook response was absent';
  const want = `admission.k8s.io/${version}`;
  if (version === 'v1' && (review.apiVersion !== want || review.kind !== 'AdmissionReview')) {
    return `expected webhook response of ${want}, Kind=AdmissionReview, got ${review.apiVersion ?? ''}, Kind=${review.kind ?? ''}`;
  }
  const res = review.response;
  if (!res || typeof res !== 'object') return 'webhook response was absent';
  if (res.uid !== uid) return `expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(res.uid ?? '')}`;
  if (res.patch !== undefined && res.patch !== null && res.patch !== '') {
    if (!mutating) return 'validating webhooks may not return patches';
    if (!res.patchType) return 'webhook returned response.patch but not response.patchType';
    if (res.patchType !== 'JSONPatch') return `webhook returned invalid response.patchType of ${JSON.stringify(res.patchType)}`;
  } else if (res.patchType && version === 'v1') {
    return 'webhook returned response.patchType but not response.patch';
  }
  return { ...res, allowed: res.allowed === true };
}
