// core/v1 PodTemplate: a stored pod template, defaulted and validated like a workload's.
import type { PodTemplate } from 'kubernetes-types/core/v1.js';
import type { ResourceType } from '../../types.js';
import { isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { required } from '../shared/field-errors.js';
import { validateName, type Obj } from './meta-checks.js';
import { setPodTemplateSpecDefaults } from './pod-spec-defaults.js';
import { validatePodTemplateSpec } from './pod-spec-validation.js';
import { column } from '../shared/columns.js';
import { containerCells, formatLabels } from '../shared/printing.js';

export function validatePodTemplate(pt: PodTemplate) {
  const errs = validateName(pt, isDNS1123Subdomain);
  if (!pt.template) return [...errs, required('template')];
  return [...errs, ...validatePodTemplateSpec(pt.template, 'template')];
}

export const podTemplateResource: ResourceType<Obj<PodTemplate>> = {
  group: '', version: 'v1', kind: 'PodTemplate', plural: 'podtemplates', singular: 'podtemplate', namespaced: true,
  schema: 'io.k8s.api.core.v1.PodTemplate',
  tracksGeneration: true,
  setDefaults: (pt) => { if (pt.template) setPodTemplateSpecDefaults(pt.template); },
  validate: validatePodTemplate,
  validateUpdate: (pt) => validatePodTemplate(pt),
  columns: [
    column('Containers', 'Names of each container in the template.'),
    column('Images', 'Images referenced by each container in the template.'),
    column('Pod Labels', 'The labels for the pod template.'),
  ],
  row: (pt) => [...containerCells(pt.template?.spec?.containers), formatLabels(pt.template?.metadata?.labels)],
};
