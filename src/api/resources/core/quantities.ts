// Resource quantities as the core kinds read them: parse-or-report, compare, print canonically.
import type { FieldError } from '../../../apimachinery/status.js';
import { QUANTITY_FORMAT_ERROR, quantityFromJSON, type Quantity } from '../../../apimachinery/quantity.js';
import { invalid } from '../shared/field-errors.js';

/** Undefined when the value is not a quantity. */
export function readQuantity(value: string | number | undefined): Quantity | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    return quantityFromJSON(value);
  } catch {
    return undefined;
  }
}

/** Canonical text for printing; the input unchanged when it does not parse, `0` when absent. */
export function canonicalQuantity(value: string | number | undefined): string {
  if (value === undefined) return '0';
  return readQuantity(value)?.toString() ?? String(value);
}

/** Parses every value of a resource list, reporting bad and negative values at `path[name]`. */
export function validateResourceList(
  list: Record<string, string | number> | undefined, path: string,
): { errs: FieldError[]; parsed: Map<string, Quantity> } {
  const errs: FieldError[] = [];
  const parsed = new Map<string, Quantity>();
  for (const [name, raw] of Object.entries(list ?? {})) {
    const q = readQuantity(raw);
    const at = `${path}[${name}]`;
    if (!q) {
      errs.push(invalid(at, String(raw), QUANTITY_FORMAT_ERROR));
      continue;
    }
    if (q.sign() < 0) errs.push(invalid(at, q.toString(), 'must be greater than or equal to 0'));
    parsed.set(name, q);
  }
  return { errs, parsed };
}
