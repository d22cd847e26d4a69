// The Status a webhook's refusal or failure turns into, worded as kube-apiserver words them.
import { StatusError, badRequest } from '../../../apimachinery/status.js';
import type { StatusReason } from '../../../apimachinery/status.js';
import type { AdmissionResponse } from './review.js';

/** `admission webhook "x" denied the request: …` with the webhook's code (403 by default) and reason. */
export function webhookDenied(hookName: string, status: AdmissionResponse['status']): StatusError {
  const deniedBy = `admission webhook ${JSON.stringify(hookName)} denied the request`;
  const message = status?.message ? `${deniedBy}: ${status.message}`
    : status?.reason ? `${deniedBy}: ${status.reason}` : `${deniedBy} without explanation`;
  const code = typeof status?.code === 'number' && status.code >= 400 ? status.code : 403;
  const details = status?.details && typeof status.details === 'object' ? status.details : undefined;
  return new StatusError(code, (status?.reason ?? '') as StatusReason, message, details as never);
}

/** A webhook that could not be called or answered unusably, under failurePolicy Fail. */
export function webhookCallFailed(hookName: string, reason: string): StatusError {
  const message = `failed calling webhook ${JSON.stringify(hookName)}: ${reason}`;
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** A dry-run request reaching a webhook that may have side effects. */
export function dryRunUnsupported(hookName: string): StatusError {
  return badRequest(`admission webhook ${JSON.stringify(hookName)} does not support dry run`);
}
