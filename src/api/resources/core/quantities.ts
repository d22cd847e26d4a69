// Resource quantities as the core kinds read them: parse-or-report, compare, print canonically.
import type { FieldError } from '../../../apimachinery/status.js';
import { parseQuantity } from '../../../apimachinery/quantity.js';
import { invalid } from './field-errors.js';

export const QUANTITY_FORMAT_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export interface ParsedQuantity { canonical: string; milli: number }

/** Undefined when the text is not a quantity. */
export function readQuantity(text: string | number | undefined): ParsedQuantity | undefined {
  if (text === undefined || text === null) return undefined;
  try {
    const q = parseQuantity(String(text));
    if (!q) return undefined;
    return { canonical: q.toString(), milli: Number(q.milliValue()) };
  } catch {
    return undefined;
  }
}

/** Canonical text for printing; the input unchanged when it does not parse. */
export function canonicalQuantity(text: string | number | undefined): string {
  if (text === undefined) return '0';
  return readQuantity(text)?.canonical ?? String(text);
}

/** Parses every value of a resource list, reporting bad and (optionally) negative values at `path[name]`. */
export function validateResourceList(
  list: Record<string, string | number> | undefined, path: string, opts: { nonNegative?: boolean } = {},
): { errs: FieldError[]; parsed: Map<string, ParsedQuantity> } {
  const errs: FieldError[] = [];
  const parsed = new Map<string, ParsedQuantity>();
  for (const [name, raw] of Object.entries(list ?? {})) {
    const q = readQuantity(raw);
    const at = `${path}[${name}]`;
    if (!q) {
      errs.push(invalid(at, String(raw), QUANTITY_FORMAT_MESSAGE));
      continue;
    }
    if (opts.nonNegative !== false && q.milli < 0) {
      errs.push(invalid(at, q.canonical, 'must be greater than or equal to 0'));
    }
    parsed.set(name, q);
  }
  return { errs, parsed };
}
