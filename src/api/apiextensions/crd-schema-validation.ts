// Validation of one CRD schema (spec.validation or spec.versions[i].schema): root rules,
// structural rules, valid defaults, then the OpenAPI keyword rules, in Kubernetes' order.
import type { FieldError } from '../../apimachinery/status.js';
import { isObject, type JSONSchemaProps } from './schema-types.js';
import { child } from './cr-field-errors.js';
import { validateStructural } from './structural-schema.js';
import { validateSchemaDefaults } from './schema-defaults-check.js';
import { validateOpenAPISchema } from './openapi-schema-checks.js';

/** `validation` is the CustomResourceValidation (`{openAPIV3Schema}`) at `path`. */
export function validateCRDSchema(validation: unknown, statusEnabled: boolean, path: string): FieldError[] {
  if (!isObject(validation) || !isObject(validation.openAPIV3Schema)) return [];
  const schema = validation.openAPIV3Schema as JSONSchemaProps;
  const schemaPath = child(path, 'openAPIV3Schema');
  const { root, nodes } = validateOpenAPISchema(schema, schemaPath, statusEnabled);
  const errs = [...root];
  const structural = validateStructural(schema, schemaPath);
  if (structural.length) errs.push(...structural);
  else errs.push(...validateSchemaDefaults(schema, schemaPath));
  errs.push(...nodes);
  return errs;
}

/** Whether any node of the schema has a default (defaults need spec.preserveUnknownFields false). */
export function schemaHasDefaults(s: unknown): boolean {
  if (Array.isArray(s)) return s.some(schemaHasDefaults);
  if (!isObject(s)) return false;
  if (s.default !== undefined) return true;
  return ['items', 'not', 'additionalProperties'].some((k) => schemaHasDefaults(s[k]))
    || ['allOf', 'anyOf', 'oneOf'].some((k) => schemaHasDefaults(s[k]))
    || (isObject(s.properties) && Object.values(s.properties).some(schemaHasDefaults));
}
