// Content negotiation for the Kubernetes protobuf media type: which requests may speak it (built-in
// kinds only; custom resources never), and whether a client's Accept header prefers it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROTOBUF_MEDIA_TYPE } from '../../apimachinery/protobuf-envelope.js';
import { unsupportedMediaType } from '../../apimachinery/status.js';
import { hasMessage } from '../../api/protobuf/index.js';
import type { ResourceType } from '../../api/types.js';
import { acceptsJSON, mediaType, parseAccept } from '../media-types.js';

export { PROTOBUF_MEDIA_TYPE };
export const PROTOBUF_WATCH_MEDIA_TYPE = `${PROTOBUF_MEDIA_TYPE};stream=watch`;

/** The client's Accept names protobuf (for the object itself, not a Table or metadata) before any JSON. */
export function prefersProtobuf(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const range of parseAccept(accept)) {
    if (range.type === PROTOBUF_MEDIA_TYPE) {
      if (!('as' in range.params)) return true;
      continue;
    }
    if (acceptsJSON(range)) return false;
  }
  return false;
}

/** Responses to be written in protobuf (set once the request's resource is known to have messages). */
const protobufResponses = new WeakSet<ServerResponse>();

/**
 * Called once the addressed resource is known: protobuf bodies for a resource without messages
 * (a custom resource) are refused with 415; answers are protobuf when the client prefers it.
 */
export function negotiateProtobuf(req: IncomingMessage, res: ServerResponse, rt: ResourceType): void {
  const builtIn = typeof rt.schema === 'string' && hasMessage(rt.schema);
  if (!builtIn) {
    if (mediaType(req) === PROTOBUF_MEDIA_TYPE) throw unsupportedMediaType(PROTOBUF_MEDIA_TYPE, ['application/json', 'application/yaml']);
    return;
  }
  if (prefersProtobuf(req.headers.accept)) protobufResponses.add(res);
}

export function answersInProtobuf(res: ServerResponse): boolean {
  return protobufResponses.has(res);
}
