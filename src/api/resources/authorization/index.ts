// Every authorization.k8s.io/v1 resource Kite serves: the self-reviews `kubectl auth can-i`
// creates (answered at once, never stored).
import type { ResourceType } from '../../types.js';
import { defineResource } from '../shared/define-resource.js';

const review = (kind: string, plural: string): ResourceType => defineResource({
  group: 'authorization.k8s.io',
  version: 'v1',
  kind,
  plural,
  singular: plural.replace(/s$/, ''),
  namespaced: false,
  verbs: ['create'],
  schema: `io.k8s.api.authorization.v1.${kind}`,
});

export const selfsubjectaccessreviews = review('SelfSubjectAccessReview', 'selfsubjectaccessreviews');
export const selfsubjectrulesreviews = review('SelfSubjectRulesReview', 'selfsubjectrulesreviews');

export const authorizationV1Resources: ResourceType[] = [selfsubjectaccessreviews, selfsubjectrulesreviews];
