// Every authentication.k8s.io/v1 resource Kite serves: SelfSubjectReview (`kubectl auth whoami`),
// answered at once with the requesting user, never stored.
import type { ResourceType } from '../../types.js';
import { defineResource } from '../shared/define-resource.js';

export const selfsubjectreviews = defineResource({
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectReview',
  plural: 'selfsubjectreviews',
  singular: 'selfsubjectreview',
  namespaced: false,
  verbs: ['create'],
  schema: 'io.k8s.api.authentication.v1.SelfSubjectReview',
});

export const authenticationV1Resources: ResourceType[] = [selfsubjectreviews];
