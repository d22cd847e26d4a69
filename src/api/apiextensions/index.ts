// apiextensions.k8s.io/v1: the CustomResourceDefinition kind and the structural-schema engine that
// custom resources are pruned, defaulted and validated with.
import type { FieldError } from '../../apimachinery/status.js';
import type { ResourceType, TableColumn } from '../types.js';
import { customResourceDefinitions as crdResource } from './crd-resource.js';
import { pruneObject } from './prune.js';
import { applyDefaults } from './defaulting.js';
import { validateObject } from './value-validation.js';
import { publishedVersionSchema } from './published-schema.js';
import { columnDefinitions, rowCells } from './printer-columns.js';
import type { JSONSchemaProps } from './schema-types.js';

export { recordStorageVersion } from './crd-defaults.js';

export type { JSONSchemaProps } from './schema-types.js';

/** apiextensions.k8s.io/v1 customresourcedefinitions. */
export const customResourceDefinitions: ResourceType = crdResource;

/** Prunes fields the schema does not allow; returns the pruned paths (`spec.foo`). */
export function pruneCustomResource(schema: JSONSchemaProps, obj: Record<string, unknown>): string[] {
  return pruneObject(schema, obj);
}

/** Applies `default`s in place, as Kubernetes does (after pruning). */
export function defaultCustomResource(schema: JSONSchemaProps, obj: Record<string, unknown>): void {
  applyDefaults(schema, obj);
}

/** Validates a custom resource against its structural schema, with Kubernetes' wording. */
export function validateCustomResource(schema: JSONSchemaProps, obj: Record<string, unknown>): FieldError[] {
  return validateObject(schema, obj);
}

/** The OpenAPI v3 schema Kubernetes publishes for one version of a CRD. */
export function publishedSchema(crd: Record<string, unknown>, version: string): Record<string, unknown> {
  return publishedVersionSchema(crd, version);
}

/** Table column definitions for a version's additionalPrinterColumns (Name implied first). */
export function printerColumns(columns: unknown[] | undefined): TableColumn[] {
  return columnDefinitions(columns);
}

/** A row's cells after Name for the given additionalPrinterColumns. */
export function printerCells(columns: unknown[] | undefined, obj: Record<string, unknown>, now: number): unknown[] {
  return rowCells(columns, obj, now);
}
