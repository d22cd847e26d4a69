// Field errors built the way Kubernetes' `field.*` constructors word them, so clients that match
// on messages see the same text: `Invalid value: "x": detail`, `Unsupported value: …`, ….
import type { FieldError } from '../../../apimachinery/status.js';

/** Renders a value as Kubernetes prints it in messages: strings quoted, numbers and booleans bare. */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
    return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
  }
  if (typeof v === 'object' && Object.values(v).every((x) => typeof x === 'string')) {
    const entries = Object.entries(v as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[string]string{${entries.map(([k, x]) => `${JSON.stringify(k)}:${JSON.stringify(x)}`).join(', ')}}`;
  }
  return JSON.stringify(v);
}

export function required(field: string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field, message: detail ? `Required value: ${detail}` : 'Required value' };
}

export function invalid(field: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, message: `Invalid value: ${formatValue(value)}: ${detail}` };
}

/** `supported` is listed in the given order; Kubernetes sorts most lists, so callers pass them sorted. */
export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const list = supported.map((s) => JSON.stringify(s)).join(', ');
  return {
    type: 'FieldValueNotSupported', field,
    message: `Unsupported value: ${formatValue(value)}: supported values: ${list}`,
  };
}

export function duplicate(field: string, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field, message: `Duplicate value: ${formatValue(value)}` };
}

export function forbidden(field: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` };
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
  return { type: 'FieldValueInvalid', field, message: `Not found: ${formatValue(value)}` };
}

/** One `Invalid` error per message from a `string[]`-returning checker. */
export function invalidEach(field: string, value: unknown, messages: string[]): FieldError[] {
  return messages.map((m) => invalid(field, value, m));
}

export function immutable(field: string, value: unknown): FieldError {
  return invalid(field, value, 'field is immutable');
}

export function inRange(field: string, value: number, lo: number, hi: number): FieldError[] {
  return value < lo || value > hi || !Number.isInteger(value)
    ? [invalid(field, value, `must be between ${lo} and ${hi}, inclusive`)] : [];
}

export function nonNegative(field: string, value: number | undefined): FieldError[] {
  return value !== undefined && value < 0 ? [invalid(field, value, 'must be greater than or equal to 0')] : [];
}
