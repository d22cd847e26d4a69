// API failures as StatusErrors, rebuilt from the Status body the server sent.
import { StatusError, type Status, type StatusReason } from '../apimachinery/status.js';
import type { TransportResponse } from './transport.js';

export function errorFromResponse(res: TransportResponse, what: string): StatusError {
  let status: Partial<Status> | undefined;
  try {
    status = JSON.parse(res.body.toString('utf8')) as Partial<Status>;
  } catch {
    status = undefined;
  }
  if (status?.kind === 'Status') {
    return new StatusError(status.code ?? res.status, (status.reason || 'InternalError') as StatusReason, status.message ?? what, status.details);
  }
  return new StatusError(res.status, 'InternalError', `${what}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
}

export function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && e.code === 404;
}

export function isConflict(e: unknown): boolean {
  return e instanceof StatusError && e.code === 409 && e.reason === 'Conflict';
}

export function isAlreadyExists(e: unknown): boolean {
  return e instanceof StatusError && e.reason === 'AlreadyExists';
}

export function isExpired(e: unknown): boolean {
  return e instanceof StatusError && e.code === 410;
}

/** A namespace being deleted refuses new objects; the write is moot, not a failure to retry. */
export function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof StatusError && e.code === 403
    && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}
