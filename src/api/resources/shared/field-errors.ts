// Field errors worded as Kubernetes' `field.*` constructors word them, so clients that match on
// messages see the same text as from a real API server: `Invalid value: "x": detail`, ….
import type { FieldError } from '../../../apimachinery/status.js';
import { FIELD_IMMUTABLE_ERROR_MSG, fieldForbidden, fieldRequired } from '../../../apimachinery/validation.js';
import { formatGo } from './go-values.js';

export { fieldRequired as required, fieldForbidden as forbidden };

export const IMMUTABLE = FIELD_IMMUTABLE_ERROR_MSG;

/** `Invalid value: <value>: detail`; Go leaves out the `: detail` part when detail is empty. */
export function invalid(field: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, message: `Invalid value: ${formatGo(value)}${detail ? `: ${detail}` : ''}` };
}

/** Supported values are listed in the order given, as Kubernetes does; callers sort where it sorts. */
export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const list = supported.map((s) => JSON.stringify(s)).join(', ');
  return {
    type: 'FieldValueNotSupported', field,
    message: `Unsupported value: ${formatGo(value)}${list ? `: supported values: ${list}` : ''}`,
  };
}

export function duplicate(field: string, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field, message: `Duplicate value: ${formatGo(value)}` };
}

export function tooLong(field: string, max: number): FieldError {
  return { type: 'FieldValueTooLong', field, message: `Too long: may not be more than ${max} bytes` };
}

export function tooMany(field: string, actual: number, max: number): FieldError {
  return { type: 'FieldValueTooMany', field, message: `Too many: ${actual}: must have at most ${max} items` };
}

/**
 * Kubernetes reports a dangling reference as `Not found: "x"`. The shared FieldErrorType has no
 * NotFound member yet, so it travels as an Invalid cause with the Kubernetes wording.
 */
export function notFound(field: string, value: unknown): FieldError {
  return { type: 'FieldValueInvalid', field, message: `Not found: ${formatGo(value)}` };
}

/** One `Invalid` error per message from a `string[]`-returning checker (validation.ts style). */
export function invalidEach(field: string, value: unknown, messages: string[]): FieldError[] {
  return messages.map((m) => invalid(field, value, m));
}

export function immutable(field: string, value: unknown): FieldError {
  return invalid(field, value, IMMUTABLE);
}

export function nonNegative(field: string, value: number | undefined | null): FieldError[] {
  return typeof value === 'number' && value < 0 ? [invalid(field, value, 'must be greater than or equal to 0')] : [];
}
