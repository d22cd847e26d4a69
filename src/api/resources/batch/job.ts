// batch/v1 Job: defaults, the server-generated selector, validation and printing.
import type { FieldError } from '../../../apimachinery/status.js';
import { humanDuration } from '../../../apimachinery/duration.js';
import { isDNS1123Label } from '../../../apimachinery/validation.js';
import { semanticEqual } from '../shared/semantic-equal.js';
import { setPodTemplateSpecDefaults, validatePodTemplateSpec } from '../core/pod-spec.js';
import type { Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { AGE_COLUMN, templateColumns } from '../shared/columns.js';
import { age, containerCells, selectorCell, since } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import { statusSubresource } from '../shared/subresources.js';
import { goLabelSelector, goStringMap } from '../shared/go-values.js';
import { IMMUTABLE, invalid, nonNegative, notSupported, required } from '../shared/field-errors.js';
import { isSet } from '../shared/is-set.js';
import { toSelector, validateLabelSelector } from '../shared/label-checks.js';
import { validateSelectorMatchesTemplate } from '../apps/workload-checks.js';

export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

const MAX_INT32 = 2147483647;
const MAX_PARALLELISM_INDEXED = 100_000;

/**
 * Pod template defaults, restartPolicy Always included as in Kubernetes: a Job that does not
 * choose OnFailure or Never is then rejected with "Required value: valid values: …".
 */
export function setJobTemplateDefaults(t: PodTemplateSpec | undefined): void {
  if (t) setPodTemplateSpecDefaults(t);
}

export function setJobDefaults(job: Job): void {
  const spec = (job.spec ??= {} as JobSpec);
  if (!isSet(spec.completions) && !isSet(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= isSet(spec.backoffLimitPerIndex) ? MAX_INT32 : 6;
  const templateLabels = spec.template?.metadata?.labels;
  const meta = (job.metadata ??= {});
  if (templateLabels && Object.keys(meta.labels ?? {}).length === 0) meta.labels = { ...templateLabels };
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const pattern of rule.onPodConditions ?? []) pattern.status ||= 'True';
  }
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  setJobTemplateDefaults(spec.template);
}

/**
 * What the API server does when a Job is created (Kubernetes' job strategy PrepareForCreate):
 * unless `spec.manualSelector` is true, label the pod template with the job's uid and name and
 * select on the uid, so the job's pods never overlap with another controller's. A Job whose
 * labels came from its template keeps them in step. The server must call this after defaulting
 * and before validation.
 */
export function prepareJobForCreate(job: Job, uid: string): void {
  const spec = (job.spec ??= {} as JobSpec);
  const meta = (job.metadata ??= {});
  if (!meta.uid) (meta as { uid?: string }).uid = uid;
  const jobUid = meta.uid ?? uid;
  spec.manualSelector ??= false;
  if (spec.manualSelector) return;
  const template = (spec.template ??= {});
  const tmeta = (template.metadata ??= {});
  const labels = (tmeta.labels ??= {});
  const followsTemplate = Object.keys(meta.labels ?? {}).length === 0 || semanticEqual(meta.labels, labels);
  const name = meta.name ?? '';
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[key] ??= name;
  for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) labels[key] ??= jobUid;
  const selector = (spec.selector ??= {});
  const matchLabels = (selector.matchLabels ??= {});
  matchLabels[CONTROLLER_UID_LABEL] ??= jobUid;
  if (followsTemplate) meta.labels = { ...labels };
}

function validateGeneratedSelector(job: Job): FieldError[] {
  const spec = job.spec;
  if (!spec || spec.manualSelector === true || !spec.selector) return [];
  const errs: FieldError[] = [];
  const uid = job.metadata?.uid ?? '';
  const name = job.metadata?.name ?? '';
  if (!uid) errs.push(required('metadata.uid'));
  const labels = spec.template?.metadata?.labels ?? {};
  const expected: Record<string, string> = {
    [LEGACY_CONTROLLER_UID_LABEL]: uid, [LEGACY_JOB_NAME_LABEL]: name, [CONTROLLER_UID_LABEL]: uid, [JOB_NAME_LABEL]: name,
  };
  for (const [key, want] of Object.entries(expected)) {
    const path = `spec.template.metadata.labels[${key}]`;
    if (!(key in labels)) errs.push(required(path, want));
    else if (labels[key] !== want) errs.push(invalid(path, goStringMap(labels), `must be '${want}'`));
  }
  const sel = toSelector(spec.selector);
  if (sel && !sel.matches(expected)) errs.push(invalid('spec.selector', goLabelSelector(spec.selector), '`selector` not auto-generated'));
  return errs;
}

/** Kubernetes' validateJobSpec: the checks a Job and a CronJob's job template share. */
export function validateJobSpecFields(spec: JobSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished',
    'backoffLimitPerIndex', 'maxFailedIndexes'] as const) {
    if (isSet(spec[key])) errs.push(...nonNegative(`${path}.${key}`, spec[key]));
  }
  if (isSet(spec.maxFailedIndexes) && !isSet(spec.backoffLimitPerIndex)) {
    errs.push(required(`${path}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'));
  }
  const mode = spec.completionMode;
  if (isSet(mode) && mode !== 'NonIndexed' && mode !== 'Indexed') {
    errs.push(notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  }
  if (mode === 'Indexed') {
    if (!isSet(spec.completions)) errs.push(required(`${path}.completions`, 'when completion mode is Indexed'));
    if (isSet(spec.parallelism) && spec.parallelism > MAX_PARALLELISM_INDEXED) {
      errs.push(invalid(`${path}.parallelism`, spec.parallelism, `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`));
    }
    if (isSet(spec.completions) && isSet(spec.maxFailedIndexes) && spec.maxFailedIndexes > spec.completions) {
      errs.push(invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, 'must be less than or equal to completions'));
    }
  } else {
    if (isSet(spec.backoffLimitPerIndex)) errs.push(invalid(`${path}.backoffLimitPerIndex`, spec.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (isSet(spec.maxFailedIndexes)) errs.push(invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, 'requires indexed completion mode'));
  }
  if (isSet(spec.podReplacementPolicy)) {
    const allowed = spec.podFailurePolicy ? ['Failed'] : ['Failed', 'TerminatingOrFailed'];
    if (!allowed.includes(spec.podReplacementPolicy)) errs.push(notSupported(`${path}.podReplacementPolicy`, spec.podReplacementPolicy, allowed));
  }
  (spec.podFailurePolicy?.rules ?? []).forEach((rule, i) => {
    const actions = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
    const p = `${path}.podFailurePolicy.rules[${i}].action`;
    if (!rule.action) errs.push(required(p, `valid values: ["Count" "FailIndex" "FailJob" "Ignore"]`));
    else if (!actions.includes(rule.action)) errs.push(notSupported(p, rule.action, actions));
  });
  if (!spec.template) return [...errs, required(`${path}.template`)];
  errs.push(...validatePodTemplateSpec(spec.template, `${path}.template`));
  const restart = spec.template.spec?.restartPolicy ?? '';
  const restartPath = `${path}.template.spec.restartPolicy`;
  if (restart === 'Always' || restart === '') {
    errs.push(required(restartPath, 'valid values: "OnFailure", "Never"'));
  } else if (restart !== 'OnFailure' && restart !== 'Never') {
    errs.push(notSupported(restartPath, restart, ['OnFailure', 'Never']));
  } else if (spec.podFailurePolicy && restart !== 'Never') {
    errs.push(invalid(restartPath, restart, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

function validateJobSpec(spec: JobSpec): FieldError[] {
  const errs = validateJobSpecFields(spec, 'spec');
  if (!spec.selector) errs.push(required('spec.selector'));
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const sel = toSelector(spec.selector);
  if (sel) errs.push(...validateSelectorMatchesTemplate(sel, spec.template, 'spec.template', false));
  return errs;
}

export function validateJob(job: Job): FieldError[] {
  const spec = job.spec ?? ({} as JobSpec);
  const errs = [...validateGeneratedSelector(job), ...validateJobSpec(spec)];
  const name = job.metadata?.name ?? '';
  if (spec.completionMode === 'Indexed' && isSet(spec.completions) && spec.completions > 0) {
    // Indexed pods are named <job>-<index> and that must stay a DNS label.
    const longest = `${name}-${spec.completions - 1}`;
    if (isDNS1123Label(longest).length) {
      errs.push(invalid('metadata.name', name, `will not able to create pod with invalid DNS label: ${longest}`));
    }
  }
  return errs;
}

/** While a Job is suspended and has never started, Kubernetes lets its scheduling directives change. */
function comparableTemplate(t: PodTemplateSpec | undefined, mutable: boolean, from: PodTemplateSpec | undefined): unknown {
  if (!mutable || !t) return t;
  const c = structuredClone(t);
  const src = from ?? {};
  (c.metadata ??= {}).labels = src.metadata?.labels;
  c.metadata.annotations = src.metadata?.annotations;
  if (c.spec) {
    c.spec.nodeSelector = src.spec?.nodeSelector;
    c.spec.tolerations = src.spec?.tolerations;
    c.spec.schedulingGates = src.spec?.schedulingGates;
    if (c.spec.affinity || src.spec?.affinity) {
      c.spec.affinity = { ...(c.spec.affinity ?? {}), nodeAffinity: src.spec?.affinity?.nodeAffinity };
    }
  }
  return c;
}

export function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const spec = job.spec ?? ({} as JobSpec);
  const oldSpec = old.spec ?? ({} as JobSpec);
  const errs = validateJobSpec(spec);
  const indexed = spec.completionMode === 'Indexed';
  if (!semanticEqual(spec.completions, oldSpec.completions)) {
    if (!indexed) errs.push(invalid('spec.completions', spec.completions, IMMUTABLE));
    else if (isSet(spec.completions) && spec.completions !== spec.parallelism) {
      errs.push(invalid('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'));
    }
  }
  if (!semanticEqual(spec.selector, oldSpec.selector)) errs.push(invalid('spec.selector', goLabelSelector(spec.selector), IMMUTABLE));
  const mutableScheduling = oldSpec.suspend === true && !old.status?.startTime;
  if (!semanticEqual(comparableTemplate(oldSpec.template, mutableScheduling, spec.template), spec.template)) {
    errs.push(invalid('spec.template', spec.template, IMMUTABLE));
  }
  for (const key of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy'] as const) {
    if (!semanticEqual(spec[key], oldSpec[key])) errs.push(invalid(`spec.${key}`, spec[key], IMMUTABLE));
  }
  return errs;
}

function conditionTrue(job: Job, type: string): boolean {
  return (job.status?.conditions ?? []).find((c) => c.type === type)?.status === 'True';
}

/** The STATUS cell of `kubectl get jobs` (1.30+). */
export function jobStatus(job: Job): string {
  if (conditionTrue(job, 'Complete')) return 'Complete';
  if (conditionTrue(job, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (conditionTrue(job, 'Suspended')) return 'Suspended';
  if (conditionTrue(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export function jobRow(job: Job, now: number): unknown[] {
  const spec = job.spec;
  const succeeded = job.status?.succeeded ?? 0;
  let completions: string;
  if (isSet(spec?.completions)) completions = `${succeeded}/${spec.completions}`;
  else if ((spec?.parallelism ?? 0) > 1) completions = `${succeeded}/1 of ${spec?.parallelism}`;
  else completions = `${succeeded}/1`;
  const start = job.status?.startTime;
  const end = job.status?.completionTime;
  let duration = '';
  if (start && !end) duration = since(start, now);
  else if (start && end) duration = humanDuration(Date.parse(end) - Date.parse(start));
  const [names, images] = containerCells(spec?.template?.spec?.containers);
  return [jobStatus(job), completions, duration, age(job, now), names, images, selectorCell(spec?.selector)];
}

export const jobs = defineResource<Job>({
  group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', singular: 'job',
  namespaced: true, categories: ['all'],
  subresources: [statusSubresource('Job')],
  schema: 'io.k8s.api.batch.v1.Job',
  hasStatus: true, tracksGeneration: true,
  setDefaults: setJobDefaults,
  validate: validateJob,
  validateUpdate: validateJobUpdate,
  columns: [
    { name: 'Status', type: 'string', priority: 0, description: 'Status of the job.' },
    { name: 'Completions', type: 'string', priority: 0, description: 'The number of pods which reached phase Succeeded.' },
    { name: 'Duration', type: 'string', priority: 0, description: 'Time required to complete the job.' },
    AGE_COLUMN,
    ...templateColumns(true),
  ],
  row: jobRow,
  fields: { 'status.successful': (job) => String(job.status?.succeeded ?? 0) },
});
