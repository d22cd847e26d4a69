// What the TypeScript declarations cannot say about the wire format: formats of scalar aliases,
// []byte and float fields, extension properties kubernetes-types omits, and kinds registered in
// several group-versions. Everything here is our own table, applied after conversion.
import { INT_OR_STRING, prefixOf, ref } from './names.mjs';

const meta = (kind) => `${prefixOf('meta/v1')}.${kind}`;
const ext = (kind) => `${prefixOf('apiextensions/v1')}.${kind}`;

/** Definitions with no TypeScript counterpart. */
export const syntheticDefinitions = {
  [INT_OR_STRING]: {
    description: 'IntOrString holds either an integer or a string, e.g. a port number or a port name, or a percentage such as "25%".',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
  },
};

/** Merged over whole definitions (scalar aliases and opaque values). */
export const definitionPatches = {
  [`${prefixOf('api/resource')}.Quantity`]: { type: undefined, oneOf: [{ type: 'string' }, { type: 'number' }] },
  [meta('Time')]: { format: 'date-time' },
  [meta('MicroTime')]: { format: 'date-time' },
  // Opaque payloads: any JSON object (RawExtension) or any JSON value (JSON), never pruned.
  [`${prefixOf('runtime')}.RawExtension`]: { 'x-kubernetes-preserve-unknown-fields': true },
  [ext('JSON')]: { type: undefined, 'x-kubernetes-preserve-unknown-fields': true },
  [meta('FieldsV1')]: { 'x-kubernetes-preserve-unknown-fields': true },
  [meta('Patch')]: { 'x-kubernetes-preserve-unknown-fields': true },
};

const byteString = { type: 'string', format: 'byte' };
const byteMap = { additionalProperties: byteString };
const double = { type: 'number', format: 'double' };

/** Merged over single properties. */
export const propertyPatches = {
  [`${prefixOf('core/v1')}.Secret`]: { data: byteMap },
  [`${prefixOf('core/v1')}.ConfigMap`]: { binaryData: byteMap },
  [`${prefixOf('certificates/v1')}.CertificateSigningRequestSpec`]: { request: byteString },
  [`${prefixOf('certificates/v1')}.CertificateSigningRequestStatus`]: { certificate: byteString },
  [`${prefixOf('admissionregistration/v1')}.WebhookClientConfig`]: { caBundle: byteString },
  [ext('WebhookClientConfig')]: { caBundle: byteString },
  [ext('JSONSchemaProps')]: { maximum: double, minimum: double, multipleOf: double },
};

const admissionRule = {
  resources: {
    type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic',
    description: 'The resources this rule applies to: plural names, `*` for all, `pods/status` for a subresource, `*/*` or `pods/*` with subresources.',
  },
  scope: { type: 'string', description: 'Cluster, Namespaced or "*" (the default): the scope of the resources this rule matches.' },
};

/**
 * Properties kubernetes-types leaves out: names that are not identifiers, and the fields of
 * embedded Go structs it drops (a webhook rule's inline Rule), and ResourceRule's verbs and resources.
 */
export const extraProperties = {
  [`${prefixOf('authorization/v1')}.ResourceRule`]: {
    verbs: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic', description: 'The verbs allowed on the resources: get, list, create, update, delete…, or `*` for all.' },
    resources: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic', description: 'The resources the rule applies to, `*` for all, `pods/log` for a subresource.' },
  },
  [`${prefixOf('admissionregistration/v1')}.RuleWithOperations`]: admissionRule,
  [`${prefixOf('admissionregistration/v1')}.NamedRuleWithOperations`]: admissionRule,
  [ext('JSONSchemaProps')]: {
    'x-kubernetes-embedded-resource': { type: 'boolean', description: 'The object is an embedded Kubernetes resource with apiVersion, kind and metadata.' },
    'x-kubernetes-int-or-string': { type: 'boolean', description: 'The value may be an integer or a string.' },
    'x-kubernetes-list-map-keys': { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic', description: 'Keys identifying the items of a list of type map.' },
    'x-kubernetes-list-type': { type: 'string', description: 'How the list is merged: atomic, set or map.' },
    'x-kubernetes-map-type': { type: 'string', description: 'How the object is merged: granular or atomic.' },
    'x-kubernetes-preserve-unknown-fields': { type: 'boolean', description: 'Fields the schema does not specify are kept rather than pruned.' },
    'x-kubernetes-validations': {
      type: 'array', items: ref(ext('ValidationRule')),
      'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['rule'],
      'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'rule',
      description: 'CEL validation rules for this value.',
    },
  },
};

/**
 * Kinds whose TypeScript declaration has no literal apiVersion: they are registered in the core
 * group or, like DeleteOptions, in every group-version (`*`).
 */
export const extraKinds = {
  [meta('Status')]: [{ group: '', version: 'v1', kind: 'Status' }],
  [meta('DeleteOptions')]: '*',
  [meta('WatchEvent')]: '*',
};
