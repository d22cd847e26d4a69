// apiextensions.k8s.io/v1 CustomResourceDefinition (cluster-scoped, with a status subresource).
import type { ResourceType } from '../types.js';

export const customResourceDefinitions: ResourceType = {
  group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions', singular: 'customresourcedefinition',
  namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'],
  schema: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
  subresources: [{ name: 'status', kind: 'CustomResourceDefinition', verbs: ['get', 'patch', 'update'] }],
  hasStatus: true,
};
