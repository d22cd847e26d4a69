// Request and response bodies in the Kubernetes protobuf format: the envelope around the object's
// message, decoded to (and encoded from) the JSON the rest of the API server works with.
import { unwrapEnvelope, wrapEnvelope } from '../../apimachinery/protobuf-envelope.js';
import { badRequest, isStatusError } from '../../apimachinery/status.js';
import { decodeObject, encodeObject } from '../../api/protobuf/index.js';
import { protobufDefinition } from './kinds.js';

/** A protobuf request body as a JSON object with apiVersion and kind from the envelope; 400 when malformed. */
export function decodeProtobufBody(body: Uint8Array): Record<string, unknown> {
  if (body.length === 0) throw badRequest('the request body is empty');
  const env = unwrapEnvelope(body);
  if (env.contentType !== '' && env.contentType !== 'application/vnd.kubernetes.protobuf') {
    throw badRequest(`the protobuf envelope holds "${env.contentType}", not a protobuf object`);
  }
  const definition = protobufDefinition(env.apiVersion, env.kind);
  if (!definition) {
    throw badRequest(`no kind "${env.kind}" is registered for version "${env.apiVersion}" in the protobuf format`);
  }
  let obj: Record<string, unknown>;
  try {
    obj = decodeObject(env.raw, definition);
  } catch (e) {
    if (isStatusError(e)) throw e;
    throw badRequest(`the protobuf body is not a valid ${env.kind}: ${(e as Error).message}`);
  }
  return { apiVersion: env.apiVersion, kind: env.kind, ...obj };
}

/** A response body (an object, a list, a Status) in the envelope; undefined when its kind has no message. */
export function encodeProtobufBody(body: unknown): Uint8Array | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const { apiVersion, kind } = body as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const definition = protobufDefinition(apiVersion, kind);
  if (!definition) return undefined;
  return wrapEnvelope({ apiVersion, kind }, encodeObject(body as Record<string, unknown>, definition));
}
