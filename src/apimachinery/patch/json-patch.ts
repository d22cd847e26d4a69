// JSON patch (RFC 6902, `application/json-patch+json`). A patch that is not a list of operations
// is a 400; an operation that cannot apply (a failed `test`, a missing path) is a 422 whose cause
// carries the reason, as the Kubernetes API server reports it.

import fjp from 'fast-json-patch';
import { StatusError, badRequest } from '../status.js';

export interface JsonPatchOperation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

const knownOps = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** The 422 Kubernetes returns when a decoded JSON patch fails to apply. */
export function jsonPatchApplyError(reason: string): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message: reason }],
  });
}

/** Checks the shape of a patch document; the operations themselves are checked as they apply. */
export function decodeJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) {
    const t = patch === null ? 'null' : typeof patch === 'object' ? 'object' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${t} into Go value of type jsonpatch.Patch`);
  }
  for (const op of patch) {
    if (typeof op !== 'object' || op === null || Array.isArray(op)) {
      throw badRequest('json: cannot unmarshal non-object into Go value of type jsonpatch.Operation');
    }
  }
  return patch as JsonPatchOperation[];
}

function describeFailure(op: JsonPatchOperation, name: string): string {
  const path = op.path;
  switch (name) {
    case 'TEST_OPERATION_FAILED':
      return `testing value ${path} failed: test failed`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${op.op} operation does not apply: doc is missing from path: ${op.from}: missing value`;
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
      return `${op.op} operation does not apply: unable to access invalid index: ${path}: invalid index referenced`;
    case 'OPERATION_VALUE_REQUIRED':
    case 'OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED':
      return `${op.op} operation does not apply: missing value`;
    case 'OPERATION_FROM_REQUIRED':
      return `${op.op} operation does not apply: missing from path`;
    default:
      if (op.op === 'replace') return `replace operation does not apply: doc is missing key: ${path}: missing value`;
      return `${op.op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`;
  }
}

/** Applies the operations in order to a copy of `doc` and returns the copy. */
export function applyJsonPatch<T>(doc: T, patch: unknown): T {
  const ops = decodeJsonPatch(patch);
  let current: unknown = structuredClone(doc);
  ops.forEach((raw, index) => {
    const op = structuredClone(raw);
    if (!knownOps.has(op.op)) throw jsonPatchApplyError(`Unexpected kind: ${op.op}`);
    if (typeof op.path !== 'string') throw jsonPatchApplyError(`${op.op} operation does not apply: missing path`);
    try {
      current = fjp.applyOperation(current, op as fjp.Operation, true, true, true, index).newDocument;
    } catch (e) {
      if (e instanceof fjp.JsonPatchError) throw jsonPatchApplyError(describeFailure(op, e.name));
      throw e;
    }
  });
  return current as T;
}
