// Name checks and object helpers that several core kinds share.
import type { KubeObject, ObjectMeta } from '../../../apimachinery/object.js';
import type { FieldError } from '../../../apimachinery/status.js';
import { invalid } from '../shared/field-errors.js';

export type NameCheck = (name: string) => string[];

/** `metadata.name` against the kind's name rule (subdomain, label, …), one error per message. */
export function validateName(obj: { metadata?: ObjectMeta }, check: NameCheck): FieldError[] {
  const name = obj.metadata?.name;
  if (!name) return []; // required-ness and generateName are the server's generic checks
  return check(name).map((m) => invalid('metadata.name', name, m));
}

/** A typed kubernetes-types object as the ResourceType interface carries it. */
export type Obj<T> = T & KubeObject;

export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}
