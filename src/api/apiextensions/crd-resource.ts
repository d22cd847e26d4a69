// apiextensions.k8s.io/v1 CustomResourceDefinition (cluster-scoped, with a status subresource).
import type { KubeObject } from '../../apimachinery/object.js';
import type { ResourceType } from '../types.js';
import { setCRDDefaults } from './crd-defaults.js';
import { validateCRD, validateCRDUpdate } from './crd-validation.js';

type Obj = Record<string, unknown>;

export const customResourceDefinitions: ResourceType = {
  group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions', singular: 'customresourcedefinition',
  namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'],
  schema: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
  subresources: [{ name: 'status', kind: 'CustomResourceDefinition', verbs: ['get', 'patch', 'update'] }],
  hasStatus: true,
  tracksGeneration: true,
  setDefaults: (crd: KubeObject) => setCRDDefaults(crd as unknown as Obj),
  validate: (crd: KubeObject) => validateCRD(crd as unknown as Obj),
  validateUpdate: (crd: KubeObject, old: KubeObject) => validateCRDUpdate(crd as unknown as Obj, old as unknown as Obj),
  columns: [{
    name: 'Created At', type: 'date', priority: 0,
    description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  }],
  row: (crd: KubeObject) => [crd.metadata?.creationTimestamp ?? null],
};
