// scheduling.k8s.io/v1 PriorityClass (cluster-scoped).
import type { FieldError } from '../../../apimachinery/status.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import { forbidden, IMMUTABLE, invalid, notSupported, required } from '../shared/field-errors.js';
import { isSet } from '../shared/is-set.js';

export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
export const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';

/** The classes Kubernetes reserves, with the value and globalDefault each must have. */
export const SYSTEM_PRIORITY_CLASSES: Record<string, { value: number; globalDefault: boolean }> = {
  'system-node-critical': { value: 2_000_001_000, globalDefault: false },
  'system-cluster-critical': { value: 2_000_000_000, globalDefault: false },
};

export function setPriorityClassDefaults(pc: PriorityClass): void {
  pc.preemptionPolicy ??= 'PreemptLowerPriority';
}

function systemClassProblem(pc: PriorityClass): string | undefined {
  const name = pc.metadata?.name ?? '';
  const known = SYSTEM_PRIORITY_CLASSES[name];
  if (!known) return `${name} is not a known system priority class`;
  if (known.value !== pc.value) return `value of ${name} PriorityClass must be ${known.value}`;
  if (known.globalDefault !== (pc.globalDefault ?? false)) return `globalDefault of ${name} PriorityClass must be ${known.globalDefault}`;
  return undefined;
}

export function validatePriorityClass(pc: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  const name = pc.metadata?.name ?? '';
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const problem = systemClassProblem(pc);
    if (problem) {
      errs.push(forbidden('metadata.name',
        `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${problem}`));
    }
  } else if ((pc.value ?? 0) > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  if (isSet(pc.preemptionPolicy)) {
    if (pc.preemptionPolicy === '') errs.push(required('preemptionPolicy'));
    else if (!['PreemptLowerPriority', 'Never'].includes(pc.preemptionPolicy)) {
      errs.push(notSupported('preemptionPolicy', pc.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
    }
  }
  return errs;
}

export function validatePriorityClassUpdate(pc: PriorityClass, old: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  if (pc.value !== old.value) errs.push(forbidden('value', 'may not be changed in an update.'));
  if (pc.preemptionPolicy !== old.preemptionPolicy) errs.push(invalid('preemptionPolicy', pc.preemptionPolicy, IMMUTABLE));
  return errs;
}

export const priorityclasses = defineResource<PriorityClass>({
  group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', singular: 'priorityclass',
  namespaced: false, shortNames: ['pc'],
  schema: 'io.k8s.api.scheduling.v1.PriorityClass',
  setDefaults: setPriorityClassDefaults,
  validate: validatePriorityClass,
  validateUpdate: validatePriorityClassUpdate,
  columns: [
    { name: 'Value', type: 'integer', priority: 0, description: 'The integer priority of pods that use this class.' },
    { name: 'Global-Default', type: 'boolean', priority: 0, description: 'Whether pods without a priorityClassName get this class.' },
    AGE_COLUMN,
    { name: 'PreemptionPolicy', type: 'string', priority: 0, description: 'Whether pods of this class may preempt lower-priority pods.' },
  ],
  row: (pc, now) => [pc.value ?? 0, pc.globalDefault ?? false, age(pc, now), pc.preemptionPolicy ?? ''],
});
