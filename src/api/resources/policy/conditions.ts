// metav1.Condition lists (status.conditions of newer kinds), checked as metav1's ValidateConditions.
import type { FieldError } from '../../../apimachinery/status.js';
import { isQualifiedName, regexError } from '../../../apimachinery/validation.js';
import type { Condition } from 'kubernetes-types/meta/v1.js';
import { duplicate, invalid, notSupported, required, tooLong } from '../shared/field-errors.js';

const STATUSES = ['False', 'True', 'Unknown'];
const MAX_REASON_LEN = 1024;
const MAX_MESSAGE_LEN = 32 * 1024;
const REASON_FMT = '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?';
const REASON_RE = new RegExp(`^${REASON_FMT}$`);
const REASON_MSG = "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'";

export function validateCondition(c: Condition, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const m of isQualifiedName(c.type ?? '')) errs.push(invalid(`${path}.type`, c.type ?? '', m));
  if (!STATUSES.includes(c.status ?? '')) errs.push(notSupported(`${path}.status`, c.status ?? '', STATUSES));
  if ((c.observedGeneration ?? 0) < 0) {
    errs.push(invalid(`${path}.observedGeneration`, c.observedGeneration, 'must be greater than or equal to zero'));
  }
  if (!c.lastTransitionTime) errs.push(required(`${path}.lastTransitionTime`, 'must be set'));
  if (!c.reason) {
    errs.push(required(`${path}.reason`, 'must be set'));
  } else {
    if (!REASON_RE.test(c.reason)) errs.push(invalid(`${path}.reason`, c.reason, regexError(REASON_MSG, REASON_FMT, 'my_name', 'MY_NAME', 'MyName', 'ReasonA,ReasonB', 'ReasonA:ReasonB')));
    if (c.reason.length > MAX_REASON_LEN) errs.push(tooLong(`${path}.reason`, MAX_REASON_LEN));
  }
  if ((c.message ?? '').length > MAX_MESSAGE_LEN) errs.push(tooLong(`${path}.message`, MAX_MESSAGE_LEN));
  return errs;
}

/** Each condition's own checks, and one condition per type. */
export function validateConditions(conditions: Condition[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (conditions ?? []).forEach((c, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateCondition(c, p));
    if (seen.has(c.type)) errs.push(duplicate(`${p}.type`, c.type));
    seen.add(c.type);
  });
  return errs;
}
