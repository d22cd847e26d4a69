// Validation shared by the kinds that own pods through a template and a selector
// (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job): Kubernetes' apps validation rules.
import type { FieldError } from '../../../apimachinery/status.js';
import type { LabelSelector as Selector } from '../../../apimachinery/labels.js';
import { regexError } from '../../../apimachinery/validation.js';
import { validatePodTemplateSpec } from '../core/pod-spec.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { forbidden, invalid, nonNegative, notSupported, required } from '../shared/field-errors.js';
import { goIntOrString, goLabelSelector, goStringMap } from '../shared/go-values.js';
import { toSelector, validateLabelSelector } from '../shared/label-checks.js';

/** `selector` Required, syntactically valid and not empty (`empty selector is invalid for <kind>`). */
export function validateRequiredSelector(ls: LabelSelector | undefined, path: string, kindWord: string): FieldError[] {
  if (!ls) return [required(path)];
  const errs = validateLabelSelector(ls, path);
  if (isEmptySelector(ls)) errs.push(invalid(path, goLabelSelector(ls), `empty selector is invalid for ${kindWord}`));
  return errs;
}

/** Neither matchLabels nor matchExpressions: the selector would match every pod. */
export function isEmptySelector(ls: LabelSelector): boolean {
  return Object.keys(ls.matchLabels ?? {}).length + (ls.matchExpressions ?? []).length === 0;
}

/** `<templatePath>.metadata.labels: Invalid value: map[…]: \`selector\` does not match template \`labels\``. */
export function validateSelectorMatchesTemplate(
  sel: Selector, template: PodTemplateSpec | undefined, templatePath: string, skipEmpty = true,
): FieldError[] {
  if (skipEmpty && sel.empty()) return [];
  const labels = template?.metadata?.labels;
  if (sel.matches(labels ?? {})) return [];
  return [invalid(`${templatePath}.metadata.labels`, goStringMap(labels), '`selector` does not match template `labels`')];
}

/**
 * ValidatePodTemplateSpecForReplicaSet and its DaemonSet/StatefulSet twins: the selector must
 * match the template, the pod spec must be valid, pods restart Always and have no deadline.
 */
export function validatePodTemplateForController(
  ls: LabelSelector | undefined, template: PodTemplateSpec | undefined, templatePath: string, kindName: string,
  opts: { selectorErrorDetail?: string; skipEmptySelector?: boolean } = {},
): FieldError[] {
  const errs: FieldError[] = [];
  const sel = toSelector(ls);
  const selectorPath = templatePath.replace(/template$/, 'selector');
  if (!sel) {
    errs.push(invalid(selectorPath, goLabelSelector(ls), opts.selectorErrorDetail ?? 'invalid label selector'));
  } else {
    errs.push(...validateSelectorMatchesTemplate(sel, template, templatePath, opts.skipEmptySelector ?? true));
  }
  if (!template) return [...errs, required(templatePath)];
  errs.push(...validatePodTemplateSpec(template, templatePath));
  errs.push(...validateRestartAlwaysNoDeadline(template, templatePath, kindName));
  return errs;
}

export function validateRestartAlwaysNoDeadline(template: PodTemplateSpec, templatePath: string, kindName: string): FieldError[] {
  const errs: FieldError[] = [];
  const policy = template.spec?.restartPolicy ?? '';
  if (policy !== 'Always') errs.push(notSupported(`${templatePath}.spec.restartPolicy`, policy, ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec?.activeDeadlineSeconds !== null) {
    errs.push(forbidden(`${templatePath}.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${kindName} is not Supported`));
  }
  return errs;
}

const percentFmt = '[0-9]+%';
const percentRe = /^[0-9]+%$/;
const percentErrMsg = "a valid percent string must be a numeric string followed by an ending '%'";

function percentValue(v: number | string | undefined): number | undefined {
  return typeof v === 'string' && percentRe.test(v) ? Number.parseInt(v.slice(0, -1), 10) : undefined;
}

/** intstr value as Kubernetes reads it: the percent number, the int, or Atoi of a string (0 on failure). */
export function intOrPercentValue(v: number | string | undefined): number {
  const pct = percentValue(v);
  if (pct !== undefined) return pct;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) return Number.parseInt(v, 10);
  return 0;
}

export function validatePositiveIntOrPercent(v: number | string | undefined, path: string): FieldError[] {
  if (typeof v === 'string') {
    return percentRe.test(v) ? [] : [invalid(path, goIntOrString(v), regexError(percentErrMsg, percentFmt, '1%', '93%'))];
  }
  return nonNegative(path, v);
}

export function isNotMoreThan100Percent(v: number | string | undefined, path: string): FieldError[] {
  const pct = percentValue(v);
  return pct !== undefined && pct > 100 ? [invalid(path, goIntOrString(v), 'must not be greater than 100%')] : [];
}
