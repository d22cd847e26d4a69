// core/v1 Secret: `stringData` folding, per-type required keys, the `immutable` lock, printing.
import type { Secret } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../../apimachinery/status.js';
import type { ResourceType } from '../../types.js';
import { isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { IMMUTABLE_MESSAGE, MAX_DATA_SIZE, base64Length, validateKeys } from './configmap.js';
import { forbidden, immutable, invalid, required, tooLong } from '../shared/field-errors.js';
import { semanticEqual } from '../shared/semantic-equal.js';
import { validateName, type Obj } from './meta-checks.js';
import { column, CORE_AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const REDACTED = '<secret contents redacted>';
const base64Re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `type` defaults to Opaque; `stringData` is write-only and lands, encoded, in `data`. */
export function setSecretDefaults(secret: Secret): void {
  const s = secret as Mutable<Secret>;
  s.type ||= 'Opaque';
  if (s.stringData) {
    const data = (s.data ??= {});
    for (const [k, v] of Object.entries(s.stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
    delete s.stringData;
  }
}

function decodedJSONError(data: Record<string, string>, key: string): string | undefined {
  try {
    JSON.parse(Buffer.from(data[key]!, 'base64').toString('utf8'));
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export function validateSecret(secret: Secret): FieldError[] {
  const errs = validateName(secret, isDNS1123Subdomain);
  const data = secret.data ?? {};
  errs.push(...validateKeys(data, 'data'));
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    if (!base64Re.test(v)) errs.push(invalid(`data[${k}]`, REDACTED, 'illegal base64 data'));
    size += base64Length(v);
  }
  if (size > MAX_DATA_SIZE) errs.push(tooLong('data', MAX_DATA_SIZE));
  const has = (k: string): boolean => k in data;
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      if (!secret.metadata?.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = secret.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) errs.push(required(`data[${key}]`));
      else {
        const why = decodedJSONError(data, key);
        if (why) errs.push(invalid(`data[${key}]`, REDACTED, why));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) errs.push(required('data[username]'), required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!data['ssh-privatekey']) errs.push(required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required('data[tls.crt]'));
      if (!has('tls.key')) errs.push(required('data[tls.key]'));
      break;
    default:
  }
  return errs;
}

export function validateSecretUpdate(secret: Secret, old: Secret): FieldError[] {
  const errs: FieldError[] = [];
  if ((secret.type ?? '') !== (old.type ?? '')) errs.push(immutable('type', secret.type ?? ''));
  if (old.immutable) {
    if (!secret.immutable) errs.push(forbidden('immutable', IMMUTABLE_MESSAGE));
    if (!semanticEqual(secret.data, old.data)) errs.push(forbidden('data', IMMUTABLE_MESSAGE));
  }
  return [...errs, ...validateSecret(secret)];
}

export const secretResource: ResourceType<Obj<Secret>> = {
  group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret', namespaced: true,
  schema: 'io.k8s.api.core.v1.Secret',
  tracksGeneration: false,
  setDefaults: setSecretDefaults,
  validate: validateSecret,
  validateUpdate: validateSecretUpdate,
  columns: [column('Type', 'The type of the secret.'), column('Data', 'Number of keys in data.'), CORE_AGE_COLUMN],
  row: (s, now) => [s.type ?? '', Object.keys(s.data ?? {}).length, age(s, now)],
  fields: { type: (s) => s.type ?? '' },
};
