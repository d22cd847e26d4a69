// The self-reviews: SelfSubjectAccessReview and SelfSubjectRulesReview (`kubectl auth can-i`) and
// SelfSubjectReview (`kubectl auth whoami`). Each is a create answered at once and never stored.
// Kite has no authorization layer yet: every authenticated user may do everything, and the
// answers say so.
import { invalid, methodNotAllowed, type FieldError } from '../../apimachinery/status.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { ResourceType } from '../../api/types.js';
import { readBody, mediaType } from '../body.js';
import { writeObject } from '../response.js';
import { warningHeaders, type RestRequest } from './context.js';
import { decodeBodyObject } from './decode.js';
import { parseWriteOptions } from './options.js';

export const NO_AUTHORIZATION_REASON = 'Kite has no authorization layer: every authenticated user may do everything';

const reviews = new Set([
  'authorization.k8s.io/SelfSubjectAccessReview',
  'authorization.k8s.io/SelfSubjectRulesReview',
  'authentication.k8s.io/SelfSubjectReview',
]);

export function isSelfReview(rt: ResourceType): boolean {
  return reviews.has(`${rt.group}/${rt.kind}`);
}

type Review = KubeObject & { spec?: Record<string, unknown> };

export async function serveSelfReview(r: RestRequest): Promise<void> {
  if (r.info.verb !== 'create' || r.info.name) throw methodNotAllowed();
  const rt = r.store.rt;
  const opts = parseWriteOptions(r.query);
  const { obj, warnings } = decodeBodyObject(rt, r.store.apiVersion, await readBody(r.req), mediaType(r.req), opts.fieldValidation);
  r.warnings.push(...warnings);
  const review = obj as Review;
  let status: Record<string, unknown>;
  switch (rt.kind) {
    case 'SelfSubjectAccessReview': {
      const errs = accessReviewErrors(review);
      if (errs.length) throw invalid(rt.group, rt.kind, '', errs);
      status = { allowed: true, reason: NO_AUTHORIZATION_REASON };
      break;
    }
    case 'SelfSubjectRulesReview':
      status = {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      };
      break;
    default:
      status = { userInfo: { username: r.user.name, groups: [...r.user.groups] } };
  }
  const metadata = { ...review.metadata, creationTimestamp: undefined };
  writeObject(r.res, 201, { ...review, metadata, status }, warningHeaders(r.warnings));
}

function accessReviewErrors(review: Review): FieldError[] {
  const spec = review.spec ?? {};
  const resource = spec.resourceAttributes !== undefined && spec.resourceAttributes !== null;
  const nonResource = spec.nonResourceAttributes !== undefined && spec.nonResourceAttributes !== null;
  if (resource === nonResource) {
    return [{
      type: 'FieldValueInvalid',
      field: 'spec.resourceAttributes',
      message: `Invalid value: ${JSON.stringify(spec)}: exactly one of nonResourceAttributes or resourceAttributes must be specified`,
    }];
  }
  return [];
}
