// Label maps and metav1 LabelSelectors: syntax checks and conversion to a matcher.
import type { FieldError } from '../../../apimachinery/status.js';
import type { LabelSelector as Selector } from '../../../apimachinery/labels.js';
import { selectorFromLabelSelector } from '../../../apimachinery/labels.js';
import { isQualifiedName, isValidLabelValue } from '../../../apimachinery/validation.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { forbidden, invalid, required } from './field-errors.js';

/** Label keys must be qualified names and values label values; errors sit on the map's path. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(invalid(path, k, m));
    for (const m of isValidLabelValue(v)) errs.push(invalid(path, v, m));
  }
  return errs;
}

/** metav1 ValidateLabelSelector: label syntax of matchLabels and each matchExpressions requirement. */
export function validateLabelSelector(ls: LabelSelector | undefined, path: string): FieldError[] {
  if (!ls) return [];
  const errs = validateLabels(ls.matchLabels, `${path}.matchLabels`);
  (ls.matchExpressions ?? []).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(`${p}.operator`, e.operator ?? '', 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(e.key ?? '')) errs.push(invalid(`${p}.key`, e.key ?? '', m));
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(v)) errs.push(invalid(`${p}.values[${j}]`, v, m));
    });
  });
  return errs;
}

/** The selector as a matcher, or undefined when it cannot be converted (reported separately). */
export function toSelector(ls: LabelSelector | undefined): Selector | undefined {
  try {
    return selectorFromLabelSelector(ls);
  } catch {
    return undefined;
  }
}
