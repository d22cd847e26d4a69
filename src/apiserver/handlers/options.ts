// Query and body options of write requests: dryRun, fieldValidation, fieldManager, DeleteOptions.
import { badRequest, invalid } from '../../apimachinery/status.js';
import type { DeleteOptions } from '../registry/store.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun: boolean;
  fieldValidation: FieldValidation;
  fieldManager?: string;
  force?: boolean;
}

export function parseDryRun(values: string[]): boolean {
  for (const v of values) {
    if (v !== 'All') throw invalid('meta.k8s.io', 'CreateOptions', '', [{ type: 'FieldValueNotSupported', field: 'dryRun', message: `Unsupported value: "${v}": supported values: "All"` }]);
  }
  return values.length > 0;
}

export function parseWriteOptions(q: URLSearchParams): WriteOptions {
  const fv = q.get('fieldValidation') ?? 'Warn';
  const norm = fv.charAt(0).toUpperCase() + fv.slice(1).toLowerCase();
  if (fv !== '' && norm !== 'Strict' && norm !== 'Warn' && norm !== 'Ignore') {
    throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${fv}"`);
  }
  const manager = q.get('fieldManager') ?? undefined;
  if (manager !== undefined && manager.length > 128) {
    throw invalid('meta.k8s.io', 'CreateOptions', '', [{ type: 'FieldValueTooLong', field: 'fieldManager', message: 'Too long: may not be more than 128 bytes' }]);
  }
  const force = q.get('force');
  return {
    dryRun: parseDryRun(q.getAll('dryRun')),
    fieldValidation: (fv === '' ? 'Warn' : norm) as FieldValidation,
    fieldManager: manager,
    force: force === null ? undefined : force === 'true' || force === '1',
  };
}

const policies = ['Orphan', 'Background', 'Foreground'];

/** DeleteOptions from the JSON body (what kubectl sends) merged with query parameters. */
export function parseDeleteOptions(body: unknown, q: URLSearchParams): DeleteOptions {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const opts: DeleteOptions = {};
  const grace = q.get('gracePeriodSeconds') ?? b.gracePeriodSeconds;
  if (grace !== undefined && grace !== null) {
    const n = Number(grace);
    if (!Number.isInteger(n)) throw badRequest(`invalid gracePeriodSeconds: ${String(grace)}`);
    opts.gracePeriodSeconds = n;
  }
  let policy = (q.get('propagationPolicy') ?? b.propagationPolicy) as string | undefined;
  if (policy === undefined && typeof b.orphanDependents === 'boolean') policy = b.orphanDependents ? 'Orphan' : 'Background';
  const orphanQ = q.get('orphanDependents');
  if (policy === undefined && orphanQ !== null) policy = orphanQ === 'true' ? 'Orphan' : 'Background';
  if (policy !== undefined && policy !== null) {
    if (!policies.includes(policy)) {
      throw invalid('meta.k8s.io', 'DeleteOptions', '', [{ type: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"` }]);
    }
    opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  }
  const pre = b.preconditions as { uid?: string; resourceVersion?: string } | undefined;
  if (pre && typeof pre === 'object') opts.preconditions = { uid: pre.uid, resourceVersion: pre.resourceVersion };
  const dry = [...q.getAll('dryRun'), ...(Array.isArray(b.dryRun) ? (b.dryRun as string[]) : [])];
  opts.dryRun = parseDryRun(dry);
  return opts;
}
