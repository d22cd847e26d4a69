// CustomResourceDefinition validation on create and update, worded as apiextensions-apiserver
// words it (pkg/apis/apiextensions/validation).
import type { FieldError } from '../../apimachinery/status.js';
import { FIELD_IMMUTABLE_ERROR_MSG, isDNS1035Label, isDNS1123Subdomain } from '../../apimachinery/validation.js';
import { child, crInvalid, crNotSupported, fieldForbidden, fieldRequired, key } from './cr-field-errors.js';
import { isObject } from './schema-types.js';
import { validateCRDNames } from './crd-names.js';
import { identicalInAllVersions, validateVersions, versionsOf } from './crd-versions.js';
import { schemaHasDefaults } from './crd-schema-validation.js';

type Obj = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Obj => (isObject(v) ? v : {});

function goText(path: string, text: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field: path, message: `Invalid value: ${text}: ${detail}` };
}

/** `%#v` of the internal []CustomResourceDefinitionVersion, as Go prints it in spec.versions errors. */
function goVersions(spec: Obj): string {
  const versions = versionsOf(spec);
  const shared = {
    schema: identicalInAllVersions(versions, 'schema'),
    subresources: identicalInAllVersions(versions, 'subresources'),
    columns: identicalInAllVersions(versions, 'additionalPrinterColumns'),
  };
  const ptr = (type: string, set: boolean): string => `(*apiextensions.${type})(${set ? '0xc000000000' : 'nil'})`;
  const items = versions.map((v) => {
    const cols = Array.isArray(v.additionalPrinterColumns) && v.additionalPrinterColumns.length && !shared.columns
      ? `[]apiextensions.CustomResourceColumnDefinition{${v.additionalPrinterColumns.length} items}`
      : '[]apiextensions.CustomResourceColumnDefinition(nil)';
    const warning = typeof v.deprecationWarning === 'string' ? '(*string)(0xc000000000)' : '(*string)(nil)';
    return `apiextensions.CustomResourceDefinitionVersion{Name:${JSON.stringify(str(v.name))}, Served:${v.served === true}, `
      + `Storage:${v.storage === true}, Deprecated:${v.deprecated === true}, DeprecationWarning:${warning}, `
      + `Schema:${ptr('CustomResourceValidation', !shared.schema && isObject(v.schema))}, `
      + `Subresources:${ptr('CustomResourceSubresources', !shared.subresources && isObject(v.subresources))}, `
      + `AdditionalPrinterColumns:${cols}, SelectableFields:[]apiextensions.SelectableField(nil)}`;
  });
  return `[]apiextensions.CustomResourceDefinitionVersion{${items.join(', ')}}`;
}

function validateGroup(group: string, path: string): FieldError[] {
  if (!group) return [fieldRequired(path)];
  const problems = isDNS1123Subdomain(group);
  if (problems.length) return [crInvalid(path, group, problems.join(','))];
  if (group.split('.').length < 2) return [crInvalid(path, group, 'should be a domain with at least one dot')];
  return [];
}

function validateEnum(path: string, value: string, accepted: string[]): FieldError[] {
  if (!value) return [fieldRequired(path)];
  return accepted.includes(value) ? [] : [crNotSupported(path, value, accepted)];
}

function validateConversion(conversion: unknown, path: string): FieldError[] {
  if (!isObject(conversion)) return [];
  const strategy = str(conversion.strategy);
  const errs = validateEnum(child(path, 'strategy'), strategy, ['None', 'Webhook']);
  const webhook = isObject(conversion.webhook) ? conversion.webhook : undefined;
  if (strategy === 'Webhook') {
    const cc = webhook && isObject(webhook.clientConfig) ? webhook.clientConfig : undefined;
    if (!cc) errs.push(fieldRequired(child(path, 'webhookClientConfig'), 'required when strategy is set to Webhook'));
    else if ((cc.url === undefined) === (cc.service === undefined)) errs.push(fieldRequired(child(path, 'webhookClientConfig'), 'exactly one of url or service is required'));
    const versions = webhook && Array.isArray(webhook.conversionReviewVersions) ? webhook.conversionReviewVersions.map(String) : [];
    const vPath = child(path, 'conversionReviewVersions');
    if (!versions.length) errs.push(fieldRequired(vPath));
    else {
      const seen = new Set<string>();
      versions.forEach((v, i) => {
        if (seen.has(v)) { errs.push(crInvalid(key(vPath, i), v, 'duplicate version')); return; }
        seen.add(v);
        for (const m of isDNS1035Label(v)) errs.push(crInvalid(key(vPath, i), v, m));
      });
      if (!versions.some((v) => v === 'v1' || v === 'v1beta1')) {
        errs.push(goText(vPath, `[]string{${versions.map((v) => JSON.stringify(v)).join(', ')}}`, 'must include at least one of v1, v1beta1'));
      }
    }
  } else if (webhook) {
    if (webhook.clientConfig !== undefined) errs.push(fieldForbidden(child(path, 'webhookClientConfig'), 'should not be set when strategy is not set to Webhook'));
    if (Array.isArray(webhook.conversionReviewVersions) && webhook.conversionReviewVersions.length) {
      errs.push(fieldForbidden(child(path, 'conversionReviewVersions'), 'should not be set when strategy is not set to Webhook'));
    }
  }
  return errs;
}

function validateSpec(spec: Obj): FieldError[] {
  const path = 'spec';
  const errs = validateGroup(str(spec.group), child(path, 'group'));
  errs.push(...validateEnum(child(path, 'scope'), str(spec.scope), ['Cluster', 'Namespaced']));
  const versions = versionsOf(spec);
  if (spec.preserveUnknownFields === true && versions.some((v) => isObject(v.schema) && schemaHasDefaults(v.schema.openAPIV3Schema))) {
    errs.push(crInvalid(child(path, 'preserveUnknownFields'), true, 'must be false in order to use defaults in the schema'));
  }
  errs.push(...validateVersions(spec, path));
  if (new Set(versions.map((v) => str(v.name))).size !== versions.length) {
    errs.push(goText(child(path, 'versions'), goVersions(spec), 'must contain unique version names'));
  }
  if (versions.filter((v) => v.storage === true).length !== 1) {
    errs.push(goText(child(path, 'versions'), goVersions(spec), 'must have exactly one version marked as storage version'));
  }
  const names = obj(spec.names);
  for (const f of ['plural', 'singular', 'kind', 'listKind']) {
    if (!str(names[f])) errs.push(fieldRequired(`${path}.names.${f}`));
  }
  errs.push(...validateCRDNames(names, child(path, 'names')));
  errs.push(...validateConversion(spec.conversion, child(path, 'conversion')));
  return errs;
}

function goStringSlice(list: string[]): string {
  return list.length ? `[]string{${list.map((s) => JSON.stringify(s)).join(', ')}}` : '[]string(nil)';
}

export function validateStoredVersions(crd: Obj): FieldError[] {
  const path = 'status.storedVersions';
  const stored = Array.isArray(obj(crd.status).storedVersions) ? (obj(crd.status).storedVersions as unknown[]).map(String) : [];
  if (!stored.length) return [goText(path, goStringSlice(stored), 'must have at least one stored version')];
  const errs: FieldError[] = [];
  const remaining = new Map(stored.map((v, i) => [v, i]));
  for (const v of versionsOf(obj(crd.spec))) {
    const name = str(v.name);
    if (v.storage === true && !remaining.has(name)) errs.push(goText(path, goStringSlice(stored), `must have the storage version ${name}`));
    remaining.delete(name);
  }
  for (const [v, i] of remaining) {
    errs.push(crInvalid(key(path, i), v, `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`));
  }
  return errs;
}

function validateMetadataName(crd: Obj): FieldError[] {
  const name = str(obj(crd.metadata).name);
  const spec = obj(crd.spec);
  const required = `${str(obj(spec.names).plural)}.${str(spec.group)}`;
  return name && name !== required ? [crInvalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group')] : [];
}

function validatePreserveUnknownFields(crd: Obj, old?: Obj): FieldError[] {
  if (old && obj(old.spec).preserveUnknownFields === true) return [];
  if (obj(crd.spec).preserveUnknownFields !== true) return [];
  return [crInvalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead')];
}

/** Kind-specific checks on create (the server checks DNS-subdomain names and the rest of metadata). */
export function validateCRD(crd: Obj): FieldError[] {
  return [
    ...validateMetadataName(crd),
    ...validateSpec(obj(crd.spec)),
    ...validateCRDNames(obj(obj(crd.status).acceptedNames), 'status.acceptedNames'),
    ...validateStoredVersions(crd),
    ...validatePreserveUnknownFields(crd),
  ];
}

function isEstablished(crd: Obj): boolean {
  const conditions = obj(crd.status).conditions;
  return Array.isArray(conditions) && conditions.some((c) => isObject(c) && c.type === 'Established' && c.status === 'True');
}

function immutable(path: string, value: unknown, old: unknown): FieldError[] {
  return value === old ? [] : [crInvalid(path, value ?? '', FIELD_IMMUTABLE_ERROR_MSG)];
}

/** Checks on update: everything checked on create plus the fields Kubernetes keeps immutable. */
export function validateCRDUpdate(crd: Obj, old: Obj): FieldError[] {
  const spec = obj(crd.spec);
  const oldSpec = obj(old.spec);
  const errs = [...validateMetadataName(crd), ...validateSpec(spec)];
  if (isEstablished(old)) {
    errs.push(...immutable('spec.scope', spec.scope, oldSpec.scope));
    errs.push(...immutable('spec.names.kind', obj(spec.names).kind, obj(oldSpec.names).kind));
  }
  errs.push(...immutable('spec.group', spec.group, oldSpec.group));
  errs.push(...immutable('spec.names.plural', obj(spec.names).plural, obj(oldSpec.names).plural));
  errs.push(...validateCRDNames(obj(obj(crd.status).acceptedNames), 'status.acceptedNames'));
  errs.push(...validateStoredVersions(crd));
  errs.push(...validatePreserveUnknownFields(crd, old));
  return errs;
}

