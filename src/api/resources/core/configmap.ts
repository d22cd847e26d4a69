// core/v1 ConfigMap: key and size validation, the `immutable` lock, printing.
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../../apimachinery/status.js';
import type { ResourceType } from '../../types.js';
import { DNS1123_SUBDOMAIN_MAX_LENGTH, isDNS1123Subdomain, maxLenError, regexError } from '../../../apimachinery/validation.js';
import { forbidden, invalid, tooLong } from '../shared/field-errors.js';
import { semanticEqual } from '../shared/semantic-equal.js';
import { validateName, type Obj } from './meta-checks.js';
import { column, CORE_AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';

/** The most bytes of data a ConfigMap or Secret may hold. */
export const MAX_DATA_SIZE = 1024 * 1024;
const configKeyFmt = '[-._a-zA-Z0-9]+';
const configKeyRe = new RegExp(`^${configKeyFmt}$`);
export const IMMUTABLE_MESSAGE = 'field is immutable when `immutable` is set';

/** Keys of ConfigMap and Secret data, which become file names in volumes. */
export function isConfigMapKey(key: string): string[] {
  const errs: string[] = [];
  if (key.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!configKeyRe.test(key)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", configKeyFmt, 'key.name', 'KEY_NAME', 'key-name'));
  }
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

export function validateKeys(data: Record<string, unknown> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of Object.keys(data ?? {})) for (const m of isConfigMapKey(key)) errs.push(invalid(`${path}[${key}]`, key, m));
  return errs;
}

export function base64Length(v: string): number {
  return Buffer.from(v, 'base64').length;
}

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = validateName(cm, isDNS1123Subdomain);
  errs.push(...validateKeys(cm.data, 'data'));
  for (const key of Object.keys(cm.data ?? {})) {
    if (cm.binaryData && key in cm.binaryData) errs.push(invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
  }
  errs.push(...validateKeys(cm.binaryData, 'binaryData'));
  let size = 0;
  for (const v of Object.values(cm.data ?? {})) size += Buffer.byteLength(v, 'utf8');
  for (const v of Object.values(cm.binaryData ?? {})) size += base64Length(v);
  // Kubernetes reports the whole object's size on the path `[]`.
  if (size > MAX_DATA_SIZE) errs.push(tooLong('[]', MAX_DATA_SIZE));
  return errs;
}

export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  if (old.immutable) {
    if (!cm.immutable) errs.push(forbidden('immutable', IMMUTABLE_MESSAGE));
    if (!semanticEqual(cm.data, old.data)) errs.push(forbidden('data', IMMUTABLE_MESSAGE));
    if (!semanticEqual(cm.binaryData, old.binaryData)) errs.push(forbidden('binaryData', IMMUTABLE_MESSAGE));
  }
  return [...errs, ...validateConfigMap(cm)];
}

export const configMapResource: ResourceType<Obj<ConfigMap>> = {
  group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', namespaced: true,
  shortNames: ['cm'],
  schema: 'io.k8s.api.core.v1.ConfigMap',
  tracksGeneration: false,
  validate: validateConfigMap,
  validateUpdate: validateConfigMapUpdate,
  columns: [column('Data', 'Number of keys in data and binaryData.'), CORE_AGE_COLUMN],
  row: (cm, now) => [
    Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
    age(cm, now),
  ],
};
