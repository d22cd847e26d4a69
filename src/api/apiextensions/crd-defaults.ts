// apiextensions.k8s.io/v1 defaults for a CustomResourceDefinition: names.singular and
// names.listKind from the kind, conversion strategy None, webhook service port 443, and the
// storage version recorded in status.storedVersions. Versions are left as given.
import { isObject } from './schema-types.js';
import { setCRDNamesDefaults } from './crd-names.js';

type Obj = Record<string, unknown>;

export function setCRDDefaults(crd: Obj): void {
  const spec = (isObject(crd.spec) ? crd.spec : (crd.spec = {})) as Obj;
  const names = (isObject(spec.names) ? spec.names : (spec.names = {})) as Obj;
  setCRDNamesDefaults(names);
  if (!isObject(spec.conversion)) spec.conversion = { strategy: 'None' };
  const conversion = spec.conversion as Obj;
  const webhook = isObject(conversion.webhook) ? conversion.webhook : undefined;
  const service = webhook && isObject(webhook.clientConfig) && isObject(webhook.clientConfig.service) ? webhook.clientConfig.service : undefined;
  if (service && service.port === undefined) service.port = 443;
  const status = (isObject(crd.status) ? crd.status : (crd.status = {})) as Obj;
  if (!Array.isArray(status.storedVersions) || status.storedVersions.length === 0) {
    const storage = (Array.isArray(spec.versions) ? spec.versions : []).find((v) => isObject(v) && v.storage === true) as Obj | undefined;
    if (storage && typeof storage.name === 'string') status.storedVersions = [storage.name];
  }
}

/** On update the current storage version joins status.storedVersions, as Kubernetes' strategy does. */
export function recordStorageVersion(crd: Obj): void {
  const spec = isObject(crd.spec) ? crd.spec : {};
  const storage = (Array.isArray(spec.versions) ? spec.versions : []).find((v) => isObject(v) && v.storage === true) as Obj | undefined;
  if (!storage || typeof storage.name !== 'string') return;
  const status = (isObject(crd.status) ? crd.status : (crd.status = {})) as Obj;
  const stored = Array.isArray(status.storedVersions) ? (status.storedVersions as unknown[]) : [];
  if (!stored.includes(storage.name)) status.storedVersions = [...stored, storage.name];
}
