// Field errors for custom resources, worded as apiextensions-apiserver turns kube-openapi's
// validation results into field errors (see kubeOpenAPIResultToFieldErrors in Kubernetes).
import type { FieldError } from '../../apimachinery/status.js';
import { goValue } from './go-repr.js';

/** Go prints a nil field.Path as `<nil>`: errors not tied to a field (anyOf, oneOf…) carry it. */
export const NIL_PATH = '<nil>';

function at(path: string): string {
  return path || NIL_PATH;
}

export function crInvalid(path: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field: at(path), message: `Invalid value: ${goValue(value)}${detail ? `: ${detail}` : ''}` };
}

/** kube-openapi type errors: the bad value shown is the JSON type name of what was sent. */
export function crTypeInvalid(path: string, expected: string[], actual: string): FieldError {
  const name = path;
  return {
    type: 'FieldValueTypeInvalid', field: at(path),
    message: `Invalid value: ${JSON.stringify(actual)}: ${name} in body must be of type ${expected.join(',')}: ${JSON.stringify(actual)}`,
  };
}

export function crRequired(path: string): FieldError {
  return { type: 'FieldValueRequired', field: at(path), message: '' };
}

export function crNotSupported(path: string, value: unknown, allowed: unknown[]): FieldError {
  const list = allowed.map((a) => JSON.stringify(typeof a === 'string' ? a : JSON.stringify(a))).join(', ');
  return {
    type: 'FieldValueNotSupported', field: at(path),
    message: `Unsupported value: ${goValue(value)}${list ? `: supported values: ${list}` : ''}`,
  };
}

export function crTooLong(path: string, max: number): FieldError {
  return { type: 'FieldValueTooLong', field: at(path), message: `Too long: may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}` };
}

export function crTooMany(path: string, actual: number, max: number): FieldError {
  return { type: 'FieldValueTooMany', field: at(path), message: `Too many: ${actual}: must have at most ${max} ${max === 1 ? 'item' : 'items'}` };
}

export function crDuplicate(path: string, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field: at(path), message: `Duplicate value: ${goValue(value)}` };
}

/** Errors kube-openapi raises without a field (composition failures): `<nil>: Invalid value: ""`. */
export function crComposite(message: string): FieldError {
  return crInvalid('', '', message);
}

/** `Required value: detail` (Go omits the detail part when it is empty). */
export function fieldRequired(path: string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field: at(path), message: detail ? `Required value: ${detail}` : '' };
}

export function fieldForbidden(path: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field: at(path), message: `Forbidden: ${detail}` };
}

/** Kubernetes' field.Path helpers: `.child`, `[key]`, `[index]`. */
export const child = (path: string, name: string): string => (path ? `${path}.${name}` : name);
export const key = (path: string, k: string | number): string => `${path}[${k}]`;
