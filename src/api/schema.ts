// The schema layer's public face: one set of definitions, generated from kubernetes-types, that
// drives structural validation, unknown-field pruning, strategic merge patch and /openapi/v3.
export {
  definitions, deref, getDefinition, refName, schemaOf, REF_PREFIX,
  type GroupVersionKindRef, type Schema,
} from './schema-definitions.js';
export { checkStructure, jsonTypeOf, type CheckOptions } from './schema-check.js';
export { pruneUnknownFields, strictDecodingError, unknownFieldMessage } from './schema-prune.js';
export { patchSchemaFor } from './patch-schema.js';
