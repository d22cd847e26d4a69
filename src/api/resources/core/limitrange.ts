// core/v1 LimitRange: container defaults derived from max/min, range checks, printing.
import type { LimitRange } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../../apimachinery/status.js';
import type { ResourceType } from '../../types.js';
import { isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { duplicate, forbidden, invalid, notSupported, required } from '../shared/field-errors.js';
import { validateName, type Obj } from './meta-checks.js';
import { column } from '../shared/columns.js';
import { validateResourceList } from './quantities.js';

const LIMIT_TYPES = ['Container', 'PersistentVolumeClaim', 'Pod'];

/** For containers: default limit ← max, default request ← default limit, then ← min. */
export function setLimitRangeDefaults(lr: LimitRange): void {
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    const def = (item.default ??= {});
    const req = (item.defaultRequest ??= {});
    for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!(k in req)) req[k] = v;
    for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in req)) req[k] = v;
  }
}

export function validateLimitRange(lr: LimitRange): FieldError[] {
  const errs = validateName(lr, isDNS1123Subdomain);
  const types = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    const at = `spec.limits[${i}]`;
    if (!item.type) errs.push(required(`${at}.type`));
    else if (!LIMIT_TYPES.includes(item.type)) errs.push(notSupported(`${at}.type`, item.type, LIMIT_TYPES));
    else if (types.has(item.type)) errs.push(duplicate(`${at}.type`, item.type));
    types.add(item.type);
    const max = validateResourceList(item.max, `${at}.max`);
    const min = validateResourceList(item.min, `${at}.min`);
    const def = validateResourceList(item.default, `${at}.default`);
    const defReq = validateResourceList(item.defaultRequest, `${at}.defaultRequest`);
    errs.push(...max.errs, ...min.errs, ...def.errs, ...defReq.errs);
    if (item.type === 'Pod') {
      for (const f of ['default', 'defaultRequest'] as const) {
        if (Object.keys(item[f] ?? {}).length) errs.push(forbidden(`${at}.${f}`, "may not be specified when `type` is 'Pod'"));
      }
    }
    for (const [name, lo] of min.parsed) {
      const hi = max.parsed.get(name);
      if (hi && lo.cmp(hi) > 0) {
        errs.push(invalid(`${at}.min[${name}]`, lo.toString(), `min value ${lo} is greater than max value ${hi}`));
      }
    }
    for (const [label, list] of [['default', def], ['defaultRequest', defReq]] as const) {
      for (const [name, q] of list.parsed) {
        const lo = min.parsed.get(name);
        const hi = max.parsed.get(name);
        if (lo && q.cmp(lo) < 0) errs.push(invalid(`${at}.${label}[${name}]`, q.toString(), `min value ${lo} is greater than ${label} value ${q}`));
        if (hi && q.cmp(hi) > 0) errs.push(invalid(`${at}.${label}[${name}]`, q.toString(), `${label} value ${q} is greater than max value ${hi}`));
      }
    }
    for (const [name, q] of defReq.parsed) {
      const lim = def.parsed.get(name);
      if (lim && q.cmp(lim) > 0) {
        errs.push(invalid(`${at}.defaultRequest[${name}]`, q.toString(), `default request value ${q} is greater than default limit value ${lim}`));
      }
    }
  });
  return errs;
}

export const limitRangeResource: ResourceType<Obj<LimitRange>> = {
  group: '', version: 'v1', kind: 'LimitRange', plural: 'limitranges', singular: 'limitrange', namespaced: true,
  shortNames: ['limits'],
  schema: 'io.k8s.api.core.v1.LimitRange',
  tracksGeneration: false,
  setDefaults: setLimitRangeDefaults,
  validate: validateLimitRange,
  validateUpdate: (lr) => validateLimitRange(lr),
  // Kubernetes prints limit ranges with their creation time, not an age.
  columns: [column('Created At', 'When the limit range was created.', 'date')],
  row: (lr) => [lr.metadata?.creationTimestamp ?? ''],
};
