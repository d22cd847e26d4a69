// Writing responses: API objects (JSON, or protobuf where negotiated), Status errors, and the media types clients negotiate.
import type { ServerResponse } from 'node:http';
import { StatusError, internalError, isStatusError, type Status } from '../apimachinery/status.js';
import { answersInProtobuf, encodeProtobufBody, PROTOBUF_MEDIA_TYPE } from './protobuf/index.js';
import { acceptsJSON, parseAccept } from './media-types.js';

/** Writes an API answer: in protobuf when negotiateProtobuf chose it for this response and the body has a message, else JSON. */
export function writeObject(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (answersInProtobuf(res) && writeProtobuf(res, code, body, headers)) return;
  const text = JSON.stringify(body);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(text);
}

/**
 * Built-in kinds in protobuf for clients that prefer it (see protobuf/media.ts); false when the
 * body has no message or does not fit it, and JSON (which such clients also accept) is written.
 */
function writeProtobuf(res: ServerResponse, code: number, body: unknown, headers: Record<string, string>): boolean {
  let bytes: Uint8Array | undefined;
  try {
    bytes = encodeProtobufBody(body);
  } catch {
    return false;
  }
  if (!bytes) return false;
  if (res.headersSent) {
    res.end();
    return true;
  }
  res.writeHead(code, { ...headers, 'Content-Type': PROTOBUF_MEDIA_TYPE, 'Content-Length': bytes.length, 'Cache-Control': 'no-cache, private' });
  res.end(bytes);
  return true;
}

export function writeText(res: ServerResponse, code: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

export function toStatusError(err: unknown): StatusError {
  if (isStatusError(err)) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return internalError(msg);
}

export function writeStatus(res: ServerResponse, err: unknown): void {
  const se = toStatusError(err);
  const status: Status = se.toStatus();
  const headers: Record<string, string> = {};
  if (se.details?.retryAfterSeconds) headers['Retry-After'] = String(se.details.retryAfterSeconds);
  writeObject(res, se.code, status, headers);
}

export { parseAccept, type MediaRange } from './media-types.js';

export type ResponseShape = 'Object' | 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';

/**
 * Picks the response shape from an Accept header, in the client's order. Objects are served in
 * JSON or protobuf, Tables and metadata in JSON; a client that accepts none of these gets 406.
 */
export function negotiate(header: string | undefined): ResponseShape | undefined {
  for (const m of parseAccept(header)) {
    if (m.type === PROTOBUF_MEDIA_TYPE && !m.params.as) return 'Object';
    if (!acceptsJSON(m)) continue;
    const as = m.params.as;
    if (!as) return 'Object';
    if (m.params.g !== 'meta.k8s.io' || (m.params.v !== 'v1' && m.params.v !== 'v1beta1')) continue;
    if (as === 'Table' || as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return as;
  }
  return undefined;
}
